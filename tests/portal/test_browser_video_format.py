"""In Chromium: the edit modal says how a video goes to Facebook, and the dealer changes it.

Static script only (library.js), under the strict CSP: no inline script or style.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import MediaContentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.ROOT_URLCONF = "tests.portal.urls"


def test_the_dealer_sees_a_reel_and_chooses_a_regular_video(
    page, sign_in, live_server, sunrise, sunrise_user
):
    video = MediaContentFactory(
        organization=sunrise, title="Tacoma walk-around", media_type="video", post_to_facebook=True
    )
    photo = MediaContentFactory(organization=sunrise, title="Tacoma front", post_to_facebook=True)
    sign_in("sunrise", next_path="/marketing/media")
    page.wait_for_url("**/marketing/media")

    page.locator(f"#media-{video.pk}").get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    choice = dialog.get_by_label("A video goes to the Page as")
    expect(choice).to_be_visible()
    expect(choice).to_have_value("auto")
    checks = dialog.locator('[data-checks-for="facebook"]')
    expect(checks).to_contain_text("Will post as a Reel (vertical, 30 s).")
    choice.select_option("video")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    video.refresh_from_db()
    assert video.facebook_video_format == "video"

    page.reload()
    page.locator(f"#media-{video.pk}").get_by_role("button", name="Edit").click()
    expect(choice).to_have_value("video")
    expect(checks).to_contain_text("Will post as a regular Page video (as you chose).")
    dialog.get_by_role("button", name="Cancel").click()

    # A photo has no such choice.
    page.locator(f"#media-{photo.pk}").get_by_role("button", name="Edit").click()
    expect(dialog.get_by_label("Title")).to_have_value("Tacoma front")
    expect(choice).to_be_hidden()
