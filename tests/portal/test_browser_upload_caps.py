"""In Chromium: a dealer at the open-uploads cap reads the server's reason, not a code."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from uploads.models import Upload

from .test_browser_tus import _open_form, _start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _test_urls(settings, tmp_path):
    settings.ROOT_URLCONF = "tests.portal.urls"
    settings.TUS_UPLOAD_DIR = tmp_path / "uploads"


def test_the_cap_is_shown_in_words(
    page, sign_in, live_server, sunrise, sunrise_user, settings, tmp_path
):
    settings.TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION = 1
    Upload.objects.create(
        organization=sunrise,
        length=1000,
        metadata={"filename": "lot walk.mp4"},
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    video = tmp_path / "showroom.mp4"  # above 8 MB, so the portal sends it through tus
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(9 * 1024 * 1024))
    _open_form(page, sign_in, live_server)
    _start(page, video, "Showroom tour")
    expect(page.locator("#progress-text")).to_contain_text(
        "Your dealership already has 1 unfinished upload, and at most 1 may be open at once. "
        "Finish the uploads in progress"
    )
    expect(page.locator("#progress-text")).to_contain_text("(error 429)")
    assert Upload.objects.count() == 1
