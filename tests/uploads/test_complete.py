"""complete-chunk-upload and the regular multipart upload: items, validation, duplicates."""

import datetime
import hashlib
import zoneinfo

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from media_content.models import MediaContent, ScheduledPost
from uploads.models import Upload

from .conftest import tus_upload

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
KINDS = [
    ("jpeg", "image", "image/jpeg", "jpg"),
    ("png", "image", "image/png", "png"),
    ("webp", "image", "image/webp", "webp"),
    ("gif", "image", "image/gif", "gif"),
    ("mp4", "video", "video/mp4", "mp4"),
    ("mov", "video", "video/quicktime", "mov"),
    ("webm", "video", "video/webm", "webm"),
]
BAD_INPUTS = [
    ("truncated_jpeg", 400, "This image is truncated or corrupt and cannot be read."),
    ("truncated_mp4", 400, "This video is truncated or corrupt and cannot be read."),
    ("truncated_faststart_mp4", 400, "This video is truncated or corrupt and cannot be read."),
    ("truncated_webm", 400, "This video is truncated or corrupt and cannot be read."),
    ("audio_only_mp4", 400, "This file has no video stream."),
    ("bomb_png", 413, "This image has too many pixels to process safely"),
]


def complete(client, upload_id, **fields):
    data = {"upload_id": upload_id, "title": "Spring sale", "schedule_mode": "draft", **fields}
    return client.post("/marketing/complete-chunk-upload", data, **JSON)


@pytest.mark.parametrize(("sample", "media_type", "content_type", "extension"), KINDS)
def test_complete_creates_the_item(
    sunrise_client,
    sunrise,
    sunrise_user,
    samples,
    sample,
    media_type,
    content_type,
    extension,
    django_capture_on_commit_callbacks,
):
    data = samples[sample]
    upload_id = tus_upload(sunrise_client, data, filename=f"../../etc/My Clip.{extension}")
    with django_capture_on_commit_callbacks(execute=True):
        response = complete(
            sunrise_client, upload_id, description="Zero down", link_url="https://x.test/a"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    media = MediaContent.objects.get(pk=body["id"])
    assert body["created"] is True
    assert (body["title"], body["description"], body["link_url"]) == (
        "Spring sale",
        "Zero down",
        "https://x.test/a",
    )
    assert (media.organization, media.created_by) == (sunrise, sunrise_user)
    file = media.lead_file
    assert (media.media_type, file.content_type) == (media_type, content_type)
    assert file.original_filename == f"../../etc/My Clip.{extension}"
    assert file.size_bytes == len(data)
    assert file.sha256 == hashlib.sha256(data).hexdigest()
    assert media.status == MediaContent.Status.DRAFT
    # A generated name under the dealership, never the client's.
    assert file.file.name.startswith(f"org-{sunrise.pk}/media/")
    assert file.file.name.endswith(f".{extension}") and "My Clip" not in file.file.name
    with default_storage.open(file.file.name) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == file.sha256
    upload = Upload.objects.get(pk=upload_id)
    assert (upload.state, upload.media_content, upload.file) == (
        Upload.State.CONSUMED,
        media,
        file,
    )
    assert not _partial_exists(upload_id)  # removed once the item is committed


def _partial_exists(upload_id) -> bool:
    from uploads.store import get_store

    return get_store().path(Upload(pk=upload_id)).exists()


def test_second_complete_returns_the_first_item(sunrise_client, samples):
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg", "image/jpeg")
    first = complete(sunrise_client, upload_id)
    second = complete(sunrise_client, upload_id)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["created"] is False
    assert MediaContent.objects.count() == 1


def test_complete_without_json_redirects_to_library(sunrise_client, samples):
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg", "image/jpeg")
    response = sunrise_client.post(
        "/marketing/complete-chunk-upload",
        {"upload_id": upload_id, "title": "Lot", "schedule_mode": "draft"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/marketing/media"
    assert MediaContent.objects.get().title == "Lot"


def test_complete_accepts_the_location_url_as_id(sunrise_client, samples):
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg", "image/jpeg")
    response = complete(sunrise_client, f"http://testserver/marketing/uploads/{upload_id}")
    assert response.status_code == 201


def test_unfinished_upload_cannot_be_completed(sunrise_client, samples):
    from .conftest import tus_create, tus_patch

    url = tus_create(sunrise_client, len(samples["mp4"]))["Location"]
    tus_patch(sunrise_client, url, samples["mp4"][:100])
    response = complete(sunrise_client, url.rsplit("/", 1)[-1])
    assert response.status_code == 409
    assert response.json()["error"] == (
        f"The upload is not finished: 100 of {len(samples['mp4'])} bytes received."
    )
    assert not MediaContent.objects.exists()


def test_unknown_upload_is_404(sunrise_client):
    assert complete(sunrise_client, "not-a-uuid").status_code == 404
    assert complete(sunrise_client, "8d2f3c1e-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize(("sample", "status", "message"), BAD_INPUTS)
def test_complete_rejects_bad_content_and_leaves_nothing(
    sunrise_client, samples, stored_files, sample, status, message
):
    upload_id = tus_upload(sunrise_client, samples[sample], "photo.jpg", "image/jpeg")
    response = complete(sunrise_client, upload_id)
    assert response.status_code == status, response.content
    assert message in response.json()["error"]
    assert not MediaContent.objects.exists()
    assert not Upload.objects.exists()
    assert stored_files() == []


def test_complete_rejects_an_image_over_the_image_limit(
    sunrise_client, samples, settings, stored_files
):
    upload_id = tus_upload(sunrise_client, samples["png"], "a.png", "image/png")
    settings.UPLOAD_MAX_IMAGE_SIZE = 100
    response = complete(sunrise_client, upload_id)
    assert response.status_code == 413
    assert response.json()["error"].startswith("Images can be at most 100 bytes; this file is")
    assert not MediaContent.objects.exists() and not Upload.objects.exists()
    assert stored_files() == []


def test_duplicate_is_offered_and_can_be_kept(sunrise_client, lakeside_client, samples):
    first = complete(sunrise_client, tus_upload(sunrise_client, samples["jpeg"], "a.jpg"))
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "again.jpg")
    response = complete(sunrise_client, upload_id, title="Again")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate"
    assert body["existing"]["file_id"] == first.json()["file_id"]
    assert "The library already has this file: “Spring sale”." in body["error"]
    assert MediaContent.objects.count() == 1
    # The upload is kept so the person can choose to keep a second copy.
    response = complete(sunrise_client, upload_id, title="Again", allow_duplicate="true")
    assert response.status_code == 201
    assert MediaContent.objects.count() == 2


def test_same_bytes_in_another_dealership_are_not_a_duplicate(
    client, sunrise_user, lakeside_user, samples
):
    for user in (sunrise_user, lakeside_user):
        client.force_login(user)
        upload_id = tus_upload(client, samples["jpeg"], "a.jpg")
        assert complete(client, upload_id).status_code == 201
    assert MediaContent.objects.count() == 2


def test_post_now_creates_posts(sunrise_client, samples, django_capture_on_commit_callbacks):
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg")
    with django_capture_on_commit_callbacks(execute=False):
        response = complete(
            sunrise_client,
            upload_id,
            schedule_mode="now",
            post_to_facebook="on",
            post_to_banner="on",
        )
    assert response.status_code == 201, response.content
    media = MediaContent.objects.get()
    assert media.status == MediaContent.Status.SCHEDULED
    assert sorted(media.posts.values_list("destination", flat=True)) == ["banner", "facebook"]


def test_scheduled_uses_the_dealerships_time_zone(sunrise_client, samples):
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg")
    day = timezone.now().date() + datetime.timedelta(days=3)
    response = complete(
        sunrise_client,
        upload_id,
        schedule_mode="scheduled",
        post_to_instagram="on",
        scheduled_date=day.isoformat(),
        scheduled_time="09:30",
    )
    assert response.status_code == 201, response.content
    expected = datetime.datetime.combine(
        day, datetime.time(9, 30), tzinfo=zoneinfo.ZoneInfo("America/Los_Angeles")
    )
    post = ScheduledPost.objects.get()
    assert post.scheduled_time == expected
    assert post.status == ScheduledPost.Status.PENDING


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"schedule_mode": "now"}, "Choose at least one destination"),
        ({"schedule_mode": "scheduled", "post_to_facebook": "on"}, "Pick a date and a time"),
        (
            {
                "schedule_mode": "scheduled",
                "post_to_facebook": "on",
                "scheduled_date": "2020-01-01",
                "scheduled_time": "10:00",
            },
            "has already passed. Choose a later time, or post it now.",
        ),
        ({"schedule_mode": "someday"}, "Select a valid choice"),
        ({"link_url": "not a url"}, "Enter a valid URL."),
    ],
)
def test_form_errors_leave_the_upload_for_another_try(sunrise_client, samples, fields, message):
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg")
    response = complete(sunrise_client, upload_id, **fields)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not MediaContent.objects.exists()
    assert Upload.objects.get().state == Upload.State.COMPLETE


# --- regular (multipart) uploads ------------------------------------------------------------


def regular(client, content: bytes, name: str, **fields):
    data = {
        "media_file": SimpleUploadedFile(name, content, "image/jpeg"),
        "title": "Lot walk",
        "schedule_mode": "draft",
        **fields,
    }
    return client.post("/marketing/media", data, **JSON)


@pytest.mark.parametrize(("sample", "media_type", "content_type", "extension"), KINDS)
def test_regular_upload_creates_the_item(
    sunrise_client, sunrise, samples, sample, media_type, content_type, extension
):
    data = samples[sample]
    response = regular(sunrise_client, data, "IMG_0001.jpg")
    assert response.status_code == 201, response.content
    media = MediaContent.objects.get(pk=response.json()["id"])
    file = media.lead_file
    assert (media.media_type, file.content_type) == (media_type, content_type)
    assert file.original_filename == "IMG_0001.jpg"
    assert file.file.name.startswith(f"org-{sunrise.pk}/media/")
    assert file.file.name.endswith(f".{extension}")
    with default_storage.open(file.file.name) as stored:
        assert stored.read() == data


def test_regular_upload_of_a_large_file_goes_through_a_temporary_file(
    sunrise_client, samples, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # the sample is bigger: Django writes it to disk
    response = regular(sunrise_client, samples["mp4"], "clip.mp4")
    assert response.status_code == 201
    assert MediaContent.objects.get().lead_file.size_bytes == len(samples["mp4"])


@pytest.mark.parametrize(
    ("sample", "status", "message"),
    [
        *BAD_INPUTS,
        ("bmp", 415, "not a supported type"),
        ("html", 415, "not a supported type"),
        ("unknown", 415, "not a supported type"),
    ],
)
def test_regular_upload_rejects_bad_content(
    sunrise_client, samples, stored_files, sample, status, message
):
    response = regular(sunrise_client, samples[sample], "photo.jpg")
    assert response.status_code == status, response.content
    assert message in response.json()["error"]
    assert not MediaContent.objects.exists()
    assert stored_files() == []


def test_regular_upload_rejects_empty_file(sunrise_client, stored_files):
    response = regular(sunrise_client, b"", "photo.jpg")
    assert response.status_code == 400
    assert response.json()["error"] == "The file is empty."
    assert not MediaContent.objects.exists()
    assert stored_files() == []


def test_regular_upload_over_video_limit(sunrise_client, samples, settings, stored_files):
    settings.UPLOAD_MAX_VIDEO_SIZE = 1000
    response = regular(sunrise_client, samples["mp4"], "clip.mp4")
    assert response.status_code == 413
    assert response.json()["error"].startswith("Videos can be at most 1,000 bytes")
    assert stored_files() == []


def test_regular_upload_duplicate(sunrise_client, samples):
    assert regular(sunrise_client, samples["png"], "a.png").status_code == 201
    response = regular(sunrise_client, samples["png"], "b.png")
    assert response.status_code == 409
    assert response.json()["existing"]["title"] == "Lot walk"
    assert MediaContent.objects.count() == 1


def test_regular_upload_without_json_redirects(sunrise_client, samples):
    response = sunrise_client.post(
        "/marketing/media",
        {"media_file": SimpleUploadedFile("a.png", samples["png"]), "title": "A"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/marketing/media"
    assert MediaContent.objects.get().title == "A"
    page = sunrise_client.get("/marketing/media")
    assert "“A” was added to your library." in page.content.decode()


def test_regular_upload_needs_a_dealership(client, outsider, samples):
    response = regular(client, samples["png"], "a.png")
    assert response.status_code == 302  # to sign in
    client.force_login(outsider)
    assert regular(client, samples["png"], "a.png").status_code == 403
    assert not MediaContent.objects.exists()


def test_media_is_served_with_nosniff(sunrise_client, samples, settings):
    settings.SERVE_MEDIA = True
    regular(sunrise_client, samples["png"], "a.png")
    media = MediaContent.objects.get()
    response = sunrise_client.get(media.lead_file.file.url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"


def test_errors_name_the_field_for_the_portal(sunrise_client, samples):
    response = regular(sunrise_client, samples["html"], "photo.jpg")
    assert response.json()["errors"] == {"media_file": [response.json()["error"]]}
    upload_id = tus_upload(sunrise_client, samples["truncated_jpeg"], "a.jpg")
    response = complete(sunrise_client, upload_id)
    assert response.json()["errors"] == {
        "media_file": ["This image is truncated or corrupt and cannot be read."]
    }
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg")
    response = complete(sunrise_client, upload_id, link_url="nope")
    assert response.json()["errors"] == {"link_url": ["Enter a valid URL."]}


def test_banner_end_date_before_its_first_day_is_refused(sunrise_client, samples):
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg")
    response = complete(
        sunrise_client,
        upload_id,
        schedule_mode="now",
        post_to_banner="on",
        banner_end_date="2020-01-01",
    )
    assert response.status_code == 400
    assert "The banner's last day cannot be before its first day" in response.json()["error"]
    assert not MediaContent.objects.exists()


def test_banner_end_date_is_kept_for_the_website(sunrise_client, samples, sunrise):
    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg")
    response = complete(
        sunrise_client,
        upload_id,
        schedule_mode="draft",
        post_to_banner="on",
        banner_end_date="2099-02-28",
    )
    assert response.status_code == 201, response.content
    assert MediaContent.objects.get().banner_end_date.isoformat() == "2099-02-28"


def test_uploads_answer_the_post_and_its_file(sunrise_client, samples):
    body = complete(sunrise_client, tus_upload(sunrise_client, samples["jpeg"], "a.jpg")).json()
    post = MediaContent.objects.get(pk=body["id"])
    assert body["file_id"] == post.lead_file.pk
    body = regular(sunrise_client, samples["png"], "b.png").json()
    assert body["file_id"] == MediaContent.objects.get(pk=body["id"]).lead_file.pk


def test_schedule_mode_library_adds_the_file_only(sunrise_client, samples):
    from library.models import MediaFile

    upload_id = tus_upload(sunrise_client, samples["jpeg"], "a.jpg")
    response = complete(sunrise_client, upload_id, schedule_mode="library")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] is None
    assert MediaFile.objects.filter(pk=body["file_id"]).exists()
    assert not MediaContent.objects.exists()
    upload = Upload.objects.get(pk=upload_id)  # no post, but it knows the file it made
    assert (upload.state, upload.media_content, upload.file_id) == (
        Upload.State.CONSUMED,
        None,
        body["file_id"],
    )
    response = regular(sunrise_client, samples["png"], "b.png", schedule_mode="library")
    assert response.status_code == 201, response.content
    assert response.json()["id"] is None and not MediaContent.objects.exists()
