"""Every stored file takes its name and type from the format we detect, never from the client.

The outside probe stored a JPEG with ``<script>`` appended, named ``offer.html``, as a
banner: it was kept as ``.html`` and served as ``text/html`` on the portal's origin. Staff
could do the same through the admin's file field, and a 169-megapixel PNG passed as a
banner. These tests post what the probe posted.
"""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from banners.models import Banner
from media_content.models import MediaContent, ScheduledPost
from tests.s3 import BUCKET

from .factories import BannerFactory, MediaContentFactory, ScheduledPostFactory
from .media import jpeg_bytes
from .uploads.conftest import _video

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>document.title='pwned'</script>"


def jpeg_with_script() -> bytes:
    """A valid JPEG (Pillow decodes it) with HTML after its end marker."""
    return jpeg_bytes(1200, 400) + SCRIPT


def png_bomb() -> bytes:
    """13000 x 13000 pixels of one colour: about 20 KB on disk, 169 megapixels in memory."""
    buffer = io.BytesIO()
    Image.new("1", (13000, 13000)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def webm(tmp_path_factory) -> bytes:
    return _video(tmp_path_factory.mktemp("video"), "clip.webm", "-c:v", "libvpx")


@pytest.fixture
def staff_client(client, sunrise_staff):
    client.force_login(sunrise_staff)
    return client


@pytest.fixture
def serve_media(settings):
    settings.SERVE_MEDIA = True


# --- Banners through the portal -----------------------------------------------


def test_a_banner_named_html_is_stored_and_served_as_the_jpeg_it_is(
    sunrise_client, sunrise, serve_media, client
):
    upload = SimpleUploadedFile("offer.html", jpeg_with_script(), content_type="text/html")
    response = sunrise_client.post(
        "/marketing/banners", {"title": "Offer", "image": upload}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201, response.content
    banner = Banner.objects.for_org(sunrise).get()
    assert banner.image.name.startswith(f"org-{sunrise.pk}/banners/")
    assert banner.image.name.endswith(".jpg")
    client.logout()
    served = client.get(banner.image.url)  # anonymously, as the probe did
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline; filename=")
    assert served["Content-Disposition"].endswith('.jpg"')
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == jpeg_with_script()


def test_a_banner_that_is_a_video_is_refused(sunrise_client, sunrise, webm):
    upload = SimpleUploadedFile("spring.jpg", webm, content_type="image/jpeg")
    response = sunrise_client.post(
        "/marketing/banners", {"title": "Clip", "image": upload}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 415
    assert response.json()["errors"]["image"] == [
        "This file is not a supported type: upload a JPEG, PNG, WebP or GIF image."
    ]
    assert not Banner.objects.exists()


def test_a_decompression_bomb_is_refused_as_a_banner_as_in_the_library(
    sunrise_client, sunrise, tmp_path
):
    bomb = png_bomb()
    assert len(bomb) < 100_000
    response = sunrise_client.post(
        "/marketing/banners",
        {"title": "Bomb", "image": SimpleUploadedFile("bomb.png", bomb)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 413
    [message] = response.json()["errors"]["image"]
    assert message.startswith("This image has too many pixels to process safely")
    assert not Banner.objects.exists()
    # The library answers the very same.
    library = sunrise_client.post(
        "/marketing/media",
        {"title": "Bomb", "media_file": SimpleUploadedFile("bomb.png", bomb)},
        HTTP_ACCEPT="application/json",
    )
    assert library.status_code == 413
    assert library.json()["error"] == message


def test_a_banner_over_the_librarys_image_size_limit_is_refused(sunrise_client, settings):
    settings.UPLOAD_MAX_IMAGE_SIZE = 1_000
    response = sunrise_client.post(
        "/marketing/banners",
        {"title": "Big", "image": SimpleUploadedFile("big.jpg", jpeg_bytes(1200, 400))},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 413
    assert "Images can be at most 1,000 bytes" in response.json()["errors"]["image"][0]


def test_replacing_a_banner_image_goes_through_the_same_check(sunrise_client, sunrise):
    banner = BannerFactory(organization=sunrise)
    response = sunrise_client.post(
        f"/marketing/banners/{banner.pk}/update",
        {"image": SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>", content_type="image/svg")},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 415
    replaced = sunrise_client.post(
        f"/marketing/banners/{banner.pk}/update",
        {"image": SimpleUploadedFile("new.html", jpeg_with_script(), content_type="text/html")},
        HTTP_ACCEPT="application/json",
    )
    assert replaced.status_code == 200, replaced.content
    banner.refresh_from_db()
    assert banner.image.name.endswith(".jpg")


# --- The admin's file fields --------------------------------------------------


def _add_media(client, sunrise, upload, **extra):
    data = {
        "organization": sunrise.pk,
        "title": "Staff upload",
        "description": "",
        "link_url": "",
        "file": upload,
        "status": "draft",
        "scheduled_post_time_0": "",
        "scheduled_post_time_1": "",
        "banner_end_date": "",
        "posts-TOTAL_FORMS": 0,
        "posts-INITIAL_FORMS": 0,
        "posts-MIN_NUM_FORMS": 0,
        "posts-MAX_NUM_FORMS": 1000,
        **extra,
    }
    return client.post(reverse("admin:media_content_mediacontent_add"), data)


def test_admin_refuses_an_html_file_and_stores_nothing(staff_client, sunrise):
    upload = SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>")
    response = _add_media(staff_client, sunrise, upload)
    assert response.status_code == 200  # the form again, with the reason
    assert "This file is not a supported type" in response.content.decode()
    assert not MediaContent.objects.exists()
    assert not default_storage.exists(f"org-{sunrise.pk}/media")


def test_admin_upload_goes_through_media_create(
    staff_client, sunrise, sunrise_staff, django_capture_on_commit_callbacks
):
    data = jpeg_with_script()
    with django_capture_on_commit_callbacks(execute=True):
        response = _add_media(
            staff_client, sunrise, SimpleUploadedFile("offer.html", data, content_type="text/html")
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    media = MediaContent.objects.get()
    file = media.lead_file
    assert file.file.name.startswith(f"org-{sunrise.pk}/media/")
    assert file.file.name.endswith(".jpg")
    assert (media.media_type, file.content_type) == ("image", "image/jpeg")
    assert (file.width, file.height, file.size_bytes) == (1200, 400, len(data))
    assert file.original_filename == "offer.html"
    assert media.created_by == sunrise_staff
    assert len(file.sha256) == 64
    assert file.processing_status == "ready"  # processed after the commit (eager in tests)
    assert file.thumbnail


def test_admin_schedules_a_new_item_like_the_portal(staff_client, sunrise):
    response = _add_media(
        staff_client,
        sunrise,
        SimpleUploadedFile("car.jpg", jpeg_bytes(1200, 800)),
        status="scheduled",
        post_to_facebook="on",
        scheduled_post_time_0="2030-01-02",
        scheduled_post_time_1="10:00:00",
    )
    assert response.status_code == 302
    media = MediaContent.objects.get()
    assert media.status == "scheduled"
    assert list(media.posts.values_list("destination", "status")) == [("facebook", "pending")]


def test_admin_new_item_that_cannot_be_scheduled_is_kept_as_a_draft_in_words(
    staff_client, sunrise, webm
):
    response = _add_media(
        staff_client,
        sunrise,
        SimpleUploadedFile("clip.webm", webm),
        status="scheduled",
        post_to_banner="on",
        scheduled_post_time_0="2030-01-02",
        scheduled_post_time_1="10:00:00",
    )
    assert response.status_code == 302
    page = staff_client.get(response["Location"]).content.decode()
    assert "Saved as a draft, not scheduled." in page
    media = MediaContent.objects.get()
    assert (media.status, media.posts.count()) == ("draft", 0)


def test_admin_file_change_is_checked_stored_by_format_and_removes_the_old_file(
    staff_client, sunrise, django_capture_on_commit_callbacks
):
    # Its Facebook post is for a destination it has: an edit saved through media_update,
    # as the portal's is, cancels the posts of destinations no longer chosen.
    media = MediaContentFactory(organization=sunrise, title="Old photo", post_to_facebook=True)
    post = ScheduledPostFactory(media_content=media)
    old_name = media.lead_file.file.name
    url = reverse("admin:media_content_mediacontent_change", args=[media.pk])
    data = {
        "organization": sunrise.pk,
        "title": media.title,
        "description": "",
        "link_url": "",
        "post_to_facebook": "on",
        "status": media.status,
        "scheduled_post_time_0": "",
        "scheduled_post_time_1": "",
        "banner_end_date": "",
        "posts-TOTAL_FORMS": 1,
        "posts-INITIAL_FORMS": 1,
        "posts-MIN_NUM_FORMS": 0,
        "posts-MAX_NUM_FORMS": 1000,
        "posts-0-id": post.pk,
        "posts-0-media_content": media.pk,
    }
    refused = staff_client.post(
        url, {**data, "file": SimpleUploadedFile("x.html", b"<script>alert(1)</script>")}
    )
    assert refused.status_code == 200
    assert "This file is not a supported type" in refused.content.decode()
    media.refresh_from_db()
    assert media.lead_file.file.name == old_name and default_storage.exists(old_name)

    png = io.BytesIO()
    Image.new("RGB", (800, 600), "orange").save(png, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        saved = staff_client.post(
            url, {**data, "file": SimpleUploadedFile("new.txt", png.getvalue())}
        )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    media.refresh_from_db()
    file = media.lead_file
    assert file.file.name.endswith(".png") and file.file.name != old_name
    assert (file.content_type, file.width, file.height) == ("image/png", 800, 600)
    assert file.original_filename == "new.txt"
    assert default_storage.exists(file.file.name)
    assert not default_storage.exists(old_name)
    assert file.processing_status == "ready"
    assert ScheduledPost.objects.get(pk=post.pk).status == post.status  # posts untouched


def test_admin_banner_image_goes_through_the_same_check(client, superuser, sunrise):
    client.force_login(superuser)
    url = reverse("admin:banners_banner_add")
    data = {"organization": sunrise.pk, "title": "Bomb", "link_url": "", "is_active": "on"}
    refused = client.post(url, {**data, "image": SimpleUploadedFile("bomb.png", png_bomb())})
    assert refused.status_code == 200
    assert "too many pixels" in refused.content.decode()
    assert not Banner.objects.exists()
    saved = client.post(url, {**data, "image": SimpleUploadedFile("a.html", jpeg_with_script())})
    assert saved.status_code == 302
    assert Banner.objects.get().image.name.endswith(".jpg")


# --- Serving local media ------------------------------------------------------


def test_a_file_stored_before_names_were_checked_is_only_ever_downloaded(client, serve_media):
    name = default_storage.save("org-1/banners/legacy.html", io.BytesIO(SCRIPT))
    served = client.get(f"/media/{name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"] == 'attachment; filename="legacy.html"'
    assert "sandbox" in served["Content-Security-Policy"]


def test_media_are_not_served_without_serve_media(client, settings):
    settings.SERVE_MEDIA = False
    name = default_storage.save("org-1/media/x.jpg", io.BytesIO(jpeg_bytes()))
    assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.parametrize("path", ["../settings.py", "%2e%2e/%2e%2e/manage.py", "missing.jpg"])
def test_media_outside_the_media_root_or_missing_answer_404(client, serve_media, path):
    assert client.get(f"/media/{path}").status_code == 404


# --- S3: the object's type is ours, never the client's --------------------------


def test_on_s3_the_clients_content_type_is_not_stored(s3, sunrise_client, sunrise):
    upload = SimpleUploadedFile("offer.html", jpeg_with_script(), content_type="text/html")
    response = sunrise_client.post(
        "/marketing/banners", {"title": "Offer", "image": upload}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201, response.content
    banner = Banner.objects.get()
    head = s3.head_object(Bucket=BUCKET, Key=banner.image.name)
    assert head["ContentType"] == "image/jpeg"
    assert head["ContentDisposition"].startswith("inline; filename=")
    # A file we write ourselves (a display copy, a rendition) gets the same treatment.
    name = default_storage.save("org-1/renditions/copy.jpg", io.BytesIO(jpeg_bytes()))
    assert s3.head_object(Bucket=BUCKET, Key=name)["ContentType"] == "image/jpeg"
    odd = default_storage.save("org-1/banners/legacy.html", io.BytesIO(SCRIPT))
    head = s3.head_object(Bucket=BUCKET, Key=odd)
    assert head["ContentType"] == "application/octet-stream"
    assert head["ContentDisposition"].startswith("attachment;")


# --- In a real browser ----------------------------------------------------------


@pytest.fixture
def portal_server(transactional_db, settings):
    """The project's WSGI app alone on 127.0.0.1 (the test live server answers /media/ itself)."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.handlers.wsgi import WSGIHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_the_probes_payload_runs_no_script_in_chromium(portal_server, page, serve_media, sunrise):
    """The probe's banner ran script on the portal's origin; now it is a picture, or a download."""
    banner = BannerFactory(
        organization=sunrise,
        image=SimpleUploadedFile("upload.jpg", jpeg_with_script()),
    )
    page.goto(f"{portal_server}{banner.image.url}")
    assert page.title() != "pwned"
    assert page.evaluate("document.contentType") == "image/jpeg"

    legacy = default_storage.save("org-1/banners/offer.html", io.BytesIO(SCRIPT))
    page.goto(f"{portal_server}/accounts/login/")  # a page of the portal's origin
    with page.expect_download() as download:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; "
            "document.body.append(a); a.click(); }",
            f"/media/{legacy}",
        )
    assert download.value.suggested_filename == "offer.html"
    assert page.title() != "pwned"
