"""The admin starts processing on a new or replaced file and shows the outcome."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library.models import MediaFile
from media_content.models import MediaContent
from tests.factories import MediaContentFactory, MediaFileFactory

from .media import image_bytes

pytestmark = pytest.mark.django_db


def _form(media_or_org, **overrides) -> dict:
    data = {
        "organization": media_or_org.pk,
        "title": "Spring sale",
        "description": "",
        "link_url": "",
        "media_type": "image",
        "status": "draft",
        "posts-TOTAL_FORMS": "0",
        "posts-INITIAL_FORMS": "0",
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


def test_uploading_in_the_admin_processes_the_file_after_the_commit(
    client, superuser, sunrise, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    upload = SimpleUploadedFile("lot.jpg", image_bytes(2000, 1000), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:media_content_mediacontent_add"), _form(sunrise, file=upload)
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    media = MediaContent.objects.get(title="Spring sale")
    assert media.lead_file.processing_status == MediaContent.ProcessingStatus.READY
    assert (media.lead_file.width, media.lead_file.height) == (2000, 1000)
    assert media.thumbnail_url

    page = client.get(reverse("admin:media_content_mediacontent_change", args=[media.pk]))
    html = page.content.decode()
    assert "Checks per destination" in html
    assert "Instagram takes only JPEG" not in html  # a JPEG: no format error
    assert "Instagram needs an aspect ratio between 4:5 and 1.91:1" in html  # 2:1 is too wide
    assert media.thumbnail_url in html


def test_a_title_change_alone_does_not_reprocess(
    client, superuser, sunrise, make_media, process, django_capture_on_commit_callbacks
):
    media = process(make_media(image_bytes(), "photo.jpg"))
    thumb = media.lead_file.thumbnail.name
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:media_content_mediacontent_change", args=[media.pk]),
            _form(sunrise, title="Renamed"),
        )
    media.refresh_from_db()
    assert media.title == "Renamed" and media.lead_file.thumbnail.name == thumb


def test_renaming_a_placeholder_video_in_the_admin_redraws_it(
    client, superuser, sunrise, make_media, process, django_capture_on_commit_callbacks
):
    media = process(
        make_media(b"\x00" * 4000, "broken.mp4", media_type=MediaContent.MediaType.VIDEO)
    )
    thumb = media.lead_file.thumbnail.name
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:media_content_mediacontent_change", args=[media.pk]),
            _form(sunrise, title="Renamed video", media_type="video"),
        )
    assert response.status_code == 302
    media.refresh_from_db()
    assert media.lead_file.thumbnail_is_placeholder and media.lead_file.thumbnail.name != thumb


def test_admin_action_processes_every_file_of_the_post_again(
    client, superuser, sunrise, django_capture_on_commit_callbacks
):
    files = [MediaFileFactory(organization=sunrise, width=None) for _ in range(2)]
    media = MediaContentFactory(organization=sunrise, files=files)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:media_content_mediacontent_changelist"),
            {"action": "process_again", "_selected_action": [media.pk]},
            follow=True,
        )
    assert "2 file(s) queued for processing." in response.content.decode()
    for file in files:
        file.refresh_from_db()
        assert file.processing_status == MediaFile.ProcessingStatus.READY
        assert (file.width, file.height) == (1200, 800)


def test_admin_action_sends_the_instagram_copy_to_the_worker(
    client, superuser, make_media, process, django_capture_on_commit_callbacks
):
    media = process(make_media(image_bytes(3000, 1000, fmt="PNG"), "wide.png"))
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:media_content_mediacontent_changelist"),
            {"action": "make_instagram_copy", "_selected_action": [media.pk]},
            follow=True,
        )
    assert "1 Instagram-ready copy(ies) being made." in response.content.decode()
    assert not media.lead_file.renditions.filter(
        spec="instagram-pad"
    ).exists()  # nothing made in the request
    assert len(callbacks) == 1
    callbacks[0]()  # the commit sends make_rendition; eager Celery runs it here
    assert media.lead_file.renditions.get(spec="instagram-pad").width == 1440


def test_admin_action_names_what_it_cannot_copy(client, superuser, make_media, process):
    video = process(
        make_media(b"\x00" * 4000, "broken.mp4", media_type=MediaContent.MediaType.VIDEO)
    )
    client.force_login(superuser)
    response = client.post(
        reverse("admin:media_content_mediacontent_changelist"),
        {"action": "make_instagram_copy", "_selected_action": [video.pk]},
        follow=True,
    )
    assert "Only images have an Instagram-ready copy." in response.content.decode()
    assert not video.lead_file.renditions.exists()


def test_ticking_instagram_in_the_admin_makes_the_copy_of_the_chosen_fit(
    client, superuser, sunrise, make_media, process, django_capture_on_commit_callbacks
):
    media = process(make_media(image_bytes(1000, 2000, fmt="PNG"), "tall.png"))
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:media_content_mediacontent_change", args=[media.pk]),
            _form(sunrise, post_to_instagram="on", instagram_fit="crop"),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    media.refresh_from_db()
    assert media.instagram_fit == "crop"
    assert [
        (r.spec, r.width, r.height) for r in media.lead_file.renditions.exclude(spec="display")
    ] == [("instagram-crop", 1000, 1250)]
