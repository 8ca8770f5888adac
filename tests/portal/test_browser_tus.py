"""The upload UI's resumable path in Chromium against the product's tus server.

The real tus-js-client: progress, pause and resume from the same offset, and
resume after a page reload. One Upload row per file proves the client never
started over (a new start would POST a new upload).
"""

import hashlib

import pytest
from playwright.sync_api import expect

from media_content.models import MediaContent
from tests.conftest import ARTIFACTS_DIR
from uploads.models import Upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _test_urls(settings):
    settings.ROOT_URLCONF = "tests.portal.urls"


def _open_form(page, sign_in, live_server):
    sign_in("sunrise", next_path="/marketing/media")
    page.wait_for_url("**/marketing/media")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    # About 16 MB/s up: slow enough to pause in the middle, fast enough for a short test.
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 2, "downloadThroughput": -1, "uploadThroughput": 16 * MB},
    )


def _start(page, video, title):
    page.set_input_files("#id_media_file", str(video))
    page.get_by_label("Title").first.fill(title)
    page.get_by_label("Save as draft").check()
    page.get_by_role("button", name="Save as draft").click()


def test_forty_megabytes_with_progress_pause_and_resume(
    page, sign_in, live_server, sunrise_user, big_video
):
    expected = hashlib.sha256(big_video.read_bytes()).hexdigest()
    _open_form(page, sign_in, live_server)
    _start(page, big_video, "Showroom tour")
    page.wait_for_function("() => document.getElementById('upload-progress').value >= 10")
    expect(page.locator("#progress-text")).to_contain_text("/s")
    expect(page.locator("#progress-text")).to_contain_text("left")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#progress-text")).to_contain_text("Paused at")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.locator("#upload-form").screenshot(path=str(ARTIFACTS_DIR / "portal-tus-paused.png"))
    paused_at = Upload.objects.get().offset
    assert 0 < paused_at < big_video.stat().st_size
    page.get_by_role("button", name="Resume").click()
    page.locator("#library .item-title", has_text="Showroom tour").wait_for(timeout=60_000)

    item = MediaContent.objects.get(title="Showroom tour")
    with item.lead_file.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == expected
    upload = Upload.objects.get()  # one upload, resumed: never started over
    assert upload.state == Upload.State.CONSUMED and upload.media_content_id == item.pk
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tus::')).length") == 0


def test_resume_after_a_page_reload(page, sign_in, live_server, sunrise_user, big_video):
    expected = hashlib.sha256(big_video.read_bytes()).hexdigest()
    _open_form(page, sign_in, live_server)
    _start(page, big_video, "Reloaded tour")
    page.wait_for_function("() => document.getElementById('upload-progress').value >= 20")
    page.reload()
    expect(page.locator("#resume-note")).to_contain_text(
        "“showroom.mp4” stopped before it finished"
    )
    sent_before_reload = Upload.objects.get().offset
    assert sent_before_reload > 0

    _open_form(page, lambda *a, **k: None, live_server)  # still signed in: endpoints and throttle
    _start(page, big_video, "Reloaded tour")
    expect(page.locator("#resume-note")).to_contain_text("continues where it stopped")
    page.locator("#library .item-title", has_text="Reloaded tour").wait_for(timeout=60_000)

    item = MediaContent.objects.get(title="Reloaded tour")
    with item.lead_file.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == expected
    upload = Upload.objects.get()  # the reload resumed the same upload, not a new one
    assert upload.state == Upload.State.CONSUMED and upload.media_content_id == item.pk
