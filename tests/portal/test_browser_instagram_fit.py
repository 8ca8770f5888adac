"""The dealer picks pad or crop for the Instagram-ready copy, with a preview of each (Chromium)."""

import base64

import pytest
from playwright.sync_api import expect

from media_content.models import MediaContent
from tests.processing.media import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""

DROP_FILE = """
([b64, name, type]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  const zone = document.getElementById("dropzone");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
  }
}
"""

# The colour of one preview pixel, as the canvas drew it.
PIXEL = """
([selector, x, y]) => Array.from(
  document.querySelector(selector).getContext("2d").getImageData(x, y, 1, 1).data.slice(0, 3)
)
"""


SIZE = "(selector) => [document.querySelector(selector).width, document.querySelector(selector).height]"


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.ROOT_URLCONF = "tests.portal.urls"


@pytest.fixture
def signed_in(page, sign_in, sunrise_user):
    page.add_init_script(COLLECT_VIOLATIONS)
    sign_in("sunrise", next_path="/marketing/media")
    page.wait_for_url("**/marketing/media")
    return page


def test_choose_crop_with_the_preview_then_find_it_in_the_edit_modal(signed_in):
    page = signed_in
    fit = page.locator("#upload-form [data-instagram-fit]")
    # Left half red, right half blue; a PNG twice as tall as wide: Instagram refuses both.
    png = image_bytes(1000, 2000, fmt="PNG")
    page.evaluate(DROP_FILE, [base64.b64encode(png).decode(), "tall-lot.png", "image/png"])
    page.locator("#preview-element").wait_for()
    expect(fit).to_be_hidden()  # not until Instagram is chosen
    page.locator("#id_post_to_instagram").check()
    expect(fit).to_be_visible()
    pad = "#upload-form canvas[data-fit-preview='pad']"
    crop = "#upload-form canvas[data-fit-preview='crop']"
    expect(page.locator(pad)).to_have_attribute("data-drawn", "pad")
    expect(page.locator(crop)).to_have_attribute("data-drawn", "crop")
    # Both previews are 4:5, the nearest shape Instagram takes, as the server's copy.
    assert page.evaluate(SIZE, pad) == [160, 200]
    # Pad keeps the whole picture: white bars at the sides. Crop fills the frame.
    assert page.evaluate(PIXEL, [pad, 5, 100]) == [255, 255, 255]
    assert page.evaluate(PIXEL, [crop, 5, 100]) == [255, 0, 0]
    assert page.evaluate(PIXEL, [crop, 155, 100]) == [0, 0, 255]

    page.locator("#upload-form").get_by_role("radio", name="Crop").check()
    page.get_by_label("Save as draft").check()
    page.get_by_role("button", name="Save as draft").click()
    page.locator("#library .item-title", has_text="tall-lot").wait_for()

    media = MediaContent.objects.get(title="tall-lot")
    assert media.instagram_fit == "crop" and media.post_to_instagram
    copy = media.lead_file.renditions.get(spec="instagram-crop")  # made by the (eager) worker task
    assert (copy.width, copy.height) == (1000, 1250)

    page.locator(f"#media-{media.pk}").get_by_role("button", name="Edit").click()
    dialog = page.locator("#edit-dialog")
    edit_fit = dialog.locator("[data-instagram-fit]")
    expect(edit_fit).to_be_visible()
    assert dialog.get_by_role("radio", name="Crop").is_checked()
    expect(dialog.locator("[data-fit-state]")).to_contain_text("The cropped copy is ready")
    expect(dialog.locator("[data-checks-for='instagram']")).to_contain_text(
        "The Instagram-ready JPEG copy (cropped) will be posted instead of the original."
    )
    expect(dialog.locator("canvas[data-fit-preview='crop']")).to_have_attribute(
        "data-drawn", "crop"
    )
    page.locator("#edit-post_to_instagram").uncheck()
    expect(edit_fit).to_be_hidden()
    assert page.evaluate("window.__cspViolations") == []
