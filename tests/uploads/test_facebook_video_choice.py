"""The dealer chooses how a video goes to Facebook: automatic, Reel, or regular video.

The upload form and the edit modal carry the choice; a value we do not know is
refused in words and nothing is stored.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media_content.models import MediaContent
from tests.factories import MediaContentFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def _upload(client, samples, **fields):
    data = {
        "media_file": SimpleUploadedFile("walkaround.mp4", samples["mp4"], "video/mp4"),
        "title": "Walk-around",
        "schedule_mode": "draft",
        **fields,
    }
    return client.post("/marketing/media", data, **JSON)


def test_an_upload_keeps_the_dealers_choice(sunrise_client, samples):
    answer = _upload(sunrise_client, samples, facebook_video_format="video")
    assert answer.status_code == 201, answer.content
    assert MediaContent.objects.get().facebook_video_format == "video"


def test_an_upload_without_a_choice_is_automatic(sunrise_client, samples):
    answer = _upload(sunrise_client, samples)
    assert answer.status_code == 201, answer.content
    assert MediaContent.objects.get().facebook_video_format == "auto"


def test_an_unknown_choice_is_refused_in_words_and_nothing_is_stored(sunrise_client, samples):
    answer = _upload(sunrise_client, samples, facebook_video_format="story")
    assert answer.status_code == 400
    assert answer.json()["errors"]["facebook_video_format"] == [
        "Choose Automatic, Reel or Regular video."
    ]
    assert not MediaContent.objects.exists()


def test_the_upload_form_and_the_edit_modal_offer_the_choice(sunrise_client):
    page = sunrise_client.get("/marketing/media").content.decode()
    assert 'id="id_facebook_video_format" name="facebook_video_format"' in page
    assert 'id="edit-facebook_video_format" name="facebook_video_format"' in page
    assert '<option value="reel">Reel</option>' in page
    assert '<option value="video">Regular video</option>' in page


@pytest.fixture
def video(sunrise):
    return MediaContentFactory(organization=sunrise, media_type="video", post_to_facebook=True)


def _edit(client, media, **fields):
    data = {"title": media.title, "description": "", "link_url": "", "post_to_facebook": "on"}
    return client.post(f"/marketing/media/{media.pk}/update", {**data, **fields}, **JSON)


def test_the_edit_modal_changes_the_choice_and_the_check_follows(sunrise_client, video):
    assert video.facebook_video_format == "auto"
    answer = _edit(sunrise_client, video, facebook_video_format="video")
    assert answer.status_code == 200, answer.content
    video.refresh_from_db()
    assert video.facebook_video_format == "video"
    got = sunrise_client.get(f"/marketing/media/{video.pk}/get", **JSON).json()
    assert got["facebook_video_format"] == "video"
    assert any(
        line.startswith("Will post as a regular Page video (as you chose).")
        for line in got["checks"]["facebook"]["warnings"]
    )


def test_an_edit_that_does_not_send_the_choice_keeps_it(sunrise_client, video):
    video.facebook_video_format = "reel"
    video.save()
    assert _edit(sunrise_client, video).status_code == 200
    video.refresh_from_db()
    assert video.facebook_video_format == "reel"


def test_an_edit_with_an_unknown_choice_is_refused(sunrise_client, video):
    answer = _edit(sunrise_client, video, facebook_video_format="story")
    assert answer.status_code == 400
    assert answer.json()["errors"]["facebook_video_format"] == [
        "Choose Automatic, Reel or Regular video."
    ]
    video.refresh_from_db()
    assert video.facebook_video_format == "auto"
