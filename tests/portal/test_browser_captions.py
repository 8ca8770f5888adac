"""Per-network text in Debian's Chromium: live counts, each network's preview, and saving.

Each test's last screen lands in test-artifacts/ (the ``page`` fixture).
"""

import base64

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from media_content.models import MediaContent
from tests.factories import MediaContentFactory
from tests.media import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DROP_FILE = """
([b64, name, type]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const file = new File([bytes], name, { type });
  const data = new DataTransfer();
  data.items.add(file);
  const zone = document.getElementById("dropzone");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
  }
}
"""
LONG_CAPTION = (
    "Spring sale at Sunrise Motors: zero down on every SUV, free first service, and a "
    "full tank with every lease this weekend only. Details https://sunrise.example/suv #suv"
)


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.ROOT_URLCONF = "tests.portal.urls"


@pytest.fixture
def signed_in(page, sign_in, live_server, sunrise_user):
    sign_in("sunrise", next_path="/marketing/media")
    page.wait_for_url("**/marketing/media")
    return page


def test_type_per_network_text_see_counts_and_previews_then_save(signed_in, sunrise):
    page = signed_in
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    form = page.locator("#upload-form")
    # A 3:2 landscape photo inside Instagram's range is shown whole; a 1:2 one is cut to 4:5.
    page.evaluate(
        DROP_FILE,
        [base64.b64encode(jpeg_bytes(400, 800, "teal")).decode(), "tall.jpg", "image/jpeg"],
    )
    page.locator("#preview-element").wait_for()
    page.get_by_label("Title").first.fill("Spring sale")
    page.get_by_label("Description").first.fill("Zero down on every SUV.")

    # Empty captions: both networks preview the default text.
    ig_count = form.locator('[data-count-for="instagram"]')
    expect(ig_count).to_contain_text("(title, description and link)")
    ig_preview = form.locator('[data-preview-for="instagram"]')
    expect(ig_preview.locator("[data-preview-text]")).to_contain_text(
        "Spring sale\n\nZero down on every SUV."
    )

    instagram = page.get_by_label("Instagram caption").first
    instagram.fill(LONG_CAPTION)
    count = len(LONG_CAPTION)
    expect(ig_count).to_have_text(
        f"{count} / 2,200 characters · 1 / 30 hashtags · 0 / 20 @-mentions"
    )
    shown = ig_preview.locator("[data-preview-shown]")
    expect(shown).to_have_text(LONG_CAPTION[:125] + "…")
    more = ig_preview.get_by_role("button", name="more")
    expect(more).to_be_visible()
    expect(ig_preview.locator("[data-link-hint]")).to_be_visible()
    expect(ig_preview.locator("[data-link-hint]")).to_contain_text("link in bio")
    more.click()
    expect(ig_preview.locator("[data-preview-text]")).to_contain_text(LONG_CAPTION)
    expect(more).to_be_hidden()

    # The crop: Instagram's frame is 4:5 for this 1:2 photo, and says so.
    expect(ig_preview.locator("[data-preview-shape]")).to_contain_text("4:5")
    box = ig_preview.locator("[data-preview-frame]").bounding_box()
    assert box["width"] / box["height"] == pytest.approx(0.8, abs=0.02)

    # Over Instagram's limits: the count says so as the dealer types.
    instagram.fill(" ".join(f"#car{n}" for n in range(31)))
    expect(ig_count).to_contain_text("31 / 30 hashtags")
    expect(ig_count).to_contain_text("Over the limit: 1 hashtags too many")
    expect(ig_count).to_have_class("caption-count muted small-text over")
    instagram.fill("Spring sale #suv, link in bio @sunrisemotors")
    expect(ig_count).not_to_have_class("caption-count muted small-text over")
    expect(ig_count).to_contain_text("1 / 20 @-mentions")
    expect(ig_preview.locator("[data-link-hint]")).to_be_hidden()

    facebook = page.get_by_label("Facebook text").first
    fb_text = "Spring sale: zero down on every SUV. https://sunrise.example/suv"
    facebook.fill(fb_text)
    fb_preview = form.locator('[data-preview-for="facebook"]')
    expect(fb_preview.locator("[data-preview-text]")).to_have_text(fb_text)
    expect(form.locator('[data-count-for="facebook"]')).to_have_text(
        f"{len(fb_text)} / 63,206 characters"
    )
    page.get_by_label("First comment").first.fill("Ask for Dana.")
    page.get_by_label("Alt text").first.fill("A teal SUV")

    page.get_by_label("Save as draft").check()
    page.get_by_role("button", name="Save as draft").click()
    page.locator("#library .item-title", has_text="Spring sale").wait_for()
    item = MediaContent.objects.get(title="Spring sale")
    assert item.instagram_caption == "Spring sale #suv, link in bio @sunrisemotors"
    assert item.facebook_caption == (
        "Spring sale: zero down on every SUV. https://sunrise.example/suv"
    )
    assert (item.first_comment, item.alt_text) == ("Ask for Dana.", "A teal SUV")
    assert errors == []


def test_the_edit_modal_shows_each_network_and_saves_both_captions(signed_in, sunrise):
    page = signed_in
    item = MediaContentFactory(
        organization=sunrise, title="Truck month", post_to_facebook=True, post_to_instagram=True
    )
    item.lead_file.thumbnail.save("t.jpg", ContentFile(jpeg_bytes(96, 96, "green")), save=True)
    video = MediaContentFactory(organization=sunrise, title="Walk-around", media_type="video")
    video.lead_file.thumbnail.save("v.jpg", ContentFile(jpeg_bytes(400, 300, "navy")), save=True)
    page.reload()

    page.get_by_role("button", name="Edit Walk-around").click()
    dialog = page.get_by_role("dialog")
    frame = dialog.locator('[data-preview-for="instagram"] [data-preview-frame]')
    expect(frame).to_have_class("ig-frame reel")  # the thumbnail as the Reel's frame
    expect(frame.locator("img")).to_have_attribute("src", video.lead_file.thumbnail.url)
    dialog.get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Edit Truck month").click()
    dialog.get_by_label("Title").wait_for()
    # The 3:2 photo is inside Instagram's range: shown whole.
    expect(dialog.locator("[data-preview-shape]")).to_have_text("Instagram shows the whole photo.")
    dialog.get_by_label("Instagram caption").fill("x" * 2201)
    expect(dialog.locator('[data-count-for="instagram"]')).to_contain_text(
        "2,201 / 2,200 characters"
    )
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator('[data-error-for="instagram_caption"]')).to_contain_text(
        "Instagram takes at most 2,200 characters"
    )
    dialog.get_by_label("Instagram caption").fill("Truck month #f150")
    dialog.get_by_label("Facebook text").fill("Truck month: every F-150 at invoice.")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    item.refresh_from_db()
    assert item.instagram_caption == "Truck month #f150"
    assert item.facebook_caption == "Truck month: every F-150 at invoice."

    page.reload()
    page.get_by_role("button", name="Edit Truck month").click()
    expect(dialog.get_by_label("Instagram caption")).to_have_value("Truck month #f150")
    expect(dialog.locator('[data-preview-for="facebook"] [data-preview-text]')).to_have_text(
        "Truck month: every F-150 at invoice."
    )
