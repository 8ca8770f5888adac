"""The tus 1.0.0 server through Django's test client: headers, status codes, stored bytes."""

import base64
import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from media_content.models import MediaContent
from uploads import services
from uploads.digests import ChunkChecksum
from uploads.models import Upload
from uploads.store import get_store

from .conftest import TUS, b64, tus_create, tus_patch

pytestmark = pytest.mark.django_db


def test_options_advertises_version_extensions_and_limits(client, settings):
    response = client.options("/marketing/uploads/")
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == (
        "creation,creation-with-upload,termination,checksum,expiration"
    )
    assert response["Tus-Max-Size"] == str(settings.TUS_MAX_SIZE)
    assert "sha1" in response["Tus-Checksum-Algorithm"].split(",")
    assert response["Tus-Resumable"] == "1.0.0"


@pytest.mark.parametrize("method", ["get", "post"])
def test_method_override_options(sunrise_client, method, settings):
    """X-HTTP-Method-Override: OPTIONS is honoured on GET and on POST (no upload is made)."""
    response = getattr(sunrise_client, method)(
        "/marketing/uploads/", HTTP_X_HTTP_METHOD_OVERRIDE="OPTIONS"
    )
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Max-Size"] == str(settings.TUS_MAX_SIZE)
    assert not Upload.objects.exists()


def test_missing_or_other_version_is_412(sunrise_client):
    response = sunrise_client.post("/marketing/uploads/", HTTP_UPLOAD_LENGTH="10")
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    response = sunrise_client.post(
        "/marketing/uploads/", HTTP_UPLOAD_LENGTH="10", HTTP_TUS_RESUMABLE="0.2.2"
    )
    assert response.status_code == 412
    assert not Upload.objects.exists()


def test_create_head_patch_in_chunks(sunrise_client, sunrise, sunrise_user, samples):
    data = samples["mp4"]
    response = tus_create(sunrise_client, len(data), "lot walk.mp4")
    assert response.status_code == 201
    assert response["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in response
    url = response["Location"]
    assert url.startswith("http://testserver/marketing/uploads/")
    upload = Upload.objects.get()
    assert (upload.organization, upload.created_by) == (sunrise, sunrise_user)
    assert upload.metadata == {"filename": "lot walk.mp4", "filetype": "video/mp4"}

    offset = 0
    for start in range(0, len(data), 1000):
        chunk = data[start : start + 1000]
        response = tus_patch(sunrise_client, url, chunk, offset)
        assert response.status_code == 204, response.content
        offset += len(chunk)
        assert response["Upload-Offset"] == str(offset)
        assert response["Tus-Resumable"] == "1.0.0"
        assert "Upload-Expires" in response

    response = sunrise_client.head(url, **TUS)
    assert response.status_code == 200
    assert response["Upload-Offset"] == response["Upload-Length"] == str(len(data))
    assert response["Cache-Control"] == "no-store"
    assert b64("lot walk.mp4") in response["Upload-Metadata"]
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMPLETE
    with get_store().open(upload) as file:
        assert file.read() == data


def test_creation_with_upload(sunrise_client, samples):
    data = samples["jpeg"]
    response = sunrise_client.post(
        "/marketing/uploads/",
        data[:500],
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_LENGTH=str(len(data)),
        **TUS,
    )
    assert response.status_code == 201
    assert response["Upload-Offset"] == "500"
    response = tus_patch(sunrise_client, response["Location"], data[500:], 500)
    assert response["Upload-Offset"] == str(len(data))
    with get_store().open(Upload.objects.get()) as file:
        assert file.read() == data


def test_empty_metadata_header_is_no_metadata(sunrise_client):
    response = sunrise_client.post(
        "/marketing/uploads/", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA="", **TUS
    )
    assert response.status_code == 201
    assert Upload.objects.get().metadata == {}


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({}, 400, "Upload-Length is required."),
        ({"HTTP_UPLOAD_LENGTH": "ten"}, 400, "Upload-Length must be a non-negative integer."),
        ({"HTTP_UPLOAD_DEFER_LENGTH": "1"}, 400, "Upload-Defer-Length is not supported"),
        ({"HTTP_UPLOAD_LENGTH": "0"}, 400, "The file is empty."),
        (
            {"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "filename !!!"},
            400,
            "not base64",
        ),
        (
            {"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "a YQ==,a YQ=="},
            400,
            "repeated key",
        ),
    ],
)
def test_bad_creation_requests(sunrise_client, stored_files, headers, status, message):
    response = sunrise_client.post("/marketing/uploads/", **TUS, **headers)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert not Upload.objects.exists()
    assert stored_files() == []


def test_over_max_size_is_413(sunrise_client, settings, stored_files):
    settings.TUS_MAX_SIZE = 1000
    response = tus_create(sunrise_client, 1001)
    assert response.status_code == 413
    assert response.json()["error"] == "Files can be at most 1,000 bytes."
    assert not Upload.objects.exists()
    settings.TUS_MAX_SIZE = 50_000_000
    response = tus_create(sunrise_client, 40_000_000, "big.jpg", "image/jpeg")
    assert response.status_code == 413  # declared image over the image limit (30 MB)
    assert "Images can be at most 30 MB." in response.json()["error"]
    assert stored_files() == []


def test_offset_mismatch_is_409_and_other_content_type_415(sunrise_client, samples):
    url = tus_create(sunrise_client, 100)["Location"]
    response = tus_patch(sunrise_client, url, samples["mp4"][:10], offset=5)
    assert response.status_code == 409
    assert "does not match" in response.json()["error"]
    response = sunrise_client.generic(
        "PATCH",
        url,
        b"x" * 10,
        content_type="application/octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **TUS,
    )
    assert response.status_code == 415
    assert Upload.objects.get().offset == 0


def test_more_bytes_than_upload_length_keeps_the_valid_bytes(sunrise_client, samples):
    """The spec: refuse the chunk with 413, but keep what is already stored."""
    data = samples["mp4"]
    url = tus_create(sunrise_client, 300)["Location"]
    assert tus_patch(sunrise_client, url, data[:100]).status_code == 204
    response = tus_patch(sunrise_client, url, data[100:400], 100)
    assert response.status_code == 413
    assert response.json()["error"] == (
        "This chunk goes past the declared Upload-Length (300 bytes): it was refused. "
        "The 100 bytes received before it are kept."
    )
    upload = Upload.objects.get()
    assert upload.offset == 100
    with get_store().open(upload) as file:
        assert file.read() == data[:100]
    assert sunrise_client.head(url, **TUS)["Upload-Offset"] == "100"
    assert tus_patch(sunrise_client, url, data[100:300], 100).status_code == 204
    assert Upload.objects.get().state == Upload.State.COMPLETE


def test_zero_length_patch_at_the_end_of_a_completed_upload_is_204(sunrise_client, samples):
    data = samples["jpeg"]
    url = tus_create(sunrise_client, len(data), "a.jpg", "image/jpeg")["Location"]
    assert tus_patch(sunrise_client, url, data).status_code == 204
    empty = {"CONTENT_TYPE": "application/offset+octet-stream", "CONTENT_LENGTH": "0"}
    response = tus_patch(sunrise_client, url, b"", len(data), **empty)
    assert response.status_code == 204
    assert response["Upload-Offset"] == str(len(data))
    assert response["Tus-Resumable"] == "1.0.0"
    # Bytes past the end, or an offset that is not the end, are still refused.
    assert tus_patch(sunrise_client, url, b"x", len(data)).status_code == 409
    assert tus_patch(sunrise_client, url, b"", 5, **empty).status_code == 409


@pytest.mark.parametrize("concat", ["partial", "final;/marketing/uploads/a /marketing/uploads/b"])
def test_upload_concat_is_refused(sunrise_client, stored_files, concat):
    response = tus_create(sunrise_client, 100, HTTP_UPLOAD_CONCAT=concat)
    assert response.status_code == 400
    assert "Upload-Concat" in response.json()["error"]
    assert not Upload.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("checksum", "status"),
    [("sha1 " + base64.b64encode(b"0" * 20).decode(), 460), ("sha1 not*base64!", 400)],
)
def test_refused_creation_with_upload_leaves_nothing(
    sunrise_client, samples, stored_files, checksum, status
):
    data = samples["jpeg"]
    response = sunrise_client.post(
        "/marketing/uploads/",
        data[:500],
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_LENGTH=str(len(data)),
        HTTP_UPLOAD_CHECKSUM=checksum,
        **TUS,
    )
    assert response.status_code == status
    assert "Location" not in response
    assert not Upload.objects.exists()
    assert stored_files() == []


def test_first_bytes_of_unknown_type_are_refused_early(sunrise_client, samples, stored_files):
    url = tus_create(sunrise_client, 10_000, "photo.jpg", "image/jpeg")["Location"]
    response = tus_patch(sunrise_client, url, samples["html"])
    assert response.status_code == 415
    assert "not a supported type" in response.json()["error"]
    assert not Upload.objects.exists()
    assert stored_files() == []


def _sha1(data: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324


def test_checksum_match_and_mismatch(sunrise_client, samples):
    data = samples["mp4"]
    url = tus_create(sunrise_client, len(data))["Location"]
    response = tus_patch(sunrise_client, url, data[:1000], HTTP_UPLOAD_CHECKSUM=_sha1(data[:1000]))
    assert response.status_code == 204
    assert response["Upload-Offset"] == "1000"
    response = tus_patch(
        sunrise_client, url, data[1000:2000], 1000, HTTP_UPLOAD_CHECKSUM=_sha1(b"other bytes")
    )
    assert response.status_code == 460
    assert response.json()["error"] == "Checksum mismatch: the chunk was discarded; send it again."
    upload = Upload.objects.get()
    assert upload.offset == 1000
    with get_store().open(upload) as file:
        assert file.read() == data[:1000]  # the bad chunk is gone from disk too
    response = tus_patch(
        sunrise_client, url, data[1000:], 1000, HTTP_UPLOAD_CHECKSUM=_sha1(data[1000:])
    )
    assert response.status_code == 204
    upload.refresh_from_db()
    with get_store().open(upload) as file:
        assert file.read() == data


def test_unsupported_checksum_algorithm_is_400(sunrise_client):
    url = tus_create(sunrise_client, 100)["Location"]
    response = tus_patch(sunrise_client, url, b"x" * 10, HTTP_UPLOAD_CHECKSUM="crc32 AAAA")
    assert response.status_code == 400
    assert response.json()["error"] == "Checksum algorithm “crc32” is not supported."


def test_method_override(sunrise_client, samples):
    data = samples["jpeg"]
    url = tus_create(sunrise_client, len(data), "a.jpg", "image/jpeg")["Location"]
    response = sunrise_client.post(
        url,
        data,
        content_type="application/offset+octet-stream",
        HTTP_X_HTTP_METHOD_OVERRIDE="PATCH",
        HTTP_UPLOAD_OFFSET="0",
        **TUS,
    )
    assert response.status_code == 204
    assert response["Upload-Offset"] == str(len(data))
    response = sunrise_client.post(url, HTTP_X_HTTP_METHOD_OVERRIDE="DELETE", **TUS)
    assert response.status_code == 204
    assert not Upload.objects.exists()


def test_termination(sunrise_client, samples, stored_files):
    url = tus_create(sunrise_client, 5000)["Location"]
    tus_patch(sunrise_client, url, samples["mp4"][:100])
    assert len(stored_files()) == 1
    response = sunrise_client.delete(url, **TUS)
    assert response.status_code == 204
    assert sunrise_client.head(url, **TUS).status_code == 404
    assert tus_patch(sunrise_client, url, b"x", 100).status_code == 404
    assert not Upload.objects.exists()
    assert stored_files() == []


def test_expired_upload_answers_410_and_is_removed(sunrise_client, samples, stored_files):
    url = tus_create(sunrise_client, 5000)["Location"]
    tus_patch(sunrise_client, url, samples["mp4"][:100])
    Upload.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = sunrise_client.head(url, **TUS)
    assert response.status_code == 410
    assert not Upload.objects.exists()
    assert stored_files() == []


def test_delete_expired_uploads_task(sunrise_client, samples, stored_files):
    from uploads.tasks import delete_expired_uploads

    old = tus_create(sunrise_client, 5000)["Location"]
    tus_patch(sunrise_client, old, samples["mp4"][:100])
    fresh = tus_create(sunrise_client, 5000)["Location"]
    Upload.objects.filter(pk=old.rsplit("/", 1)[-1]).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert delete_expired_uploads.name == "media_content.uploads.tasks.delete_expired_uploads"
    assert delete_expired_uploads.delay().get() == 1
    assert list(Upload.objects.values_list("pk", flat=True)) == [
        __import__("uuid").UUID(fresh.rsplit("/", 1)[-1])
    ]
    assert len(stored_files()) == 1


def test_activity_renews_expiry(sunrise_client, samples, settings):
    url = tus_create(sunrise_client, 5000)["Location"]
    Upload.objects.update(expires_at=timezone.now() + datetime.timedelta(minutes=5))
    tus_patch(sunrise_client, url, samples["mp4"][:100])
    remaining = Upload.objects.get().expires_at - timezone.now()
    assert remaining > datetime.timedelta(hours=settings.TUS_EXPIRATION_HOURS - 1)


def test_signed_out_is_401_and_no_dealership_is_403(client, outsider):
    assert tus_create(client, 10).status_code == 401
    client.force_login(outsider)
    response = tus_create(client, 10)
    assert response.status_code == 403
    assert not Upload.objects.exists()


def test_other_dealership_gets_404_everywhere(sunrise_client, lakeside_user, samples, outsider):
    url = tus_create(sunrise_client, len(samples["jpeg"]), "a.jpg", "image/jpeg")["Location"]
    tus_patch(sunrise_client, url, samples["jpeg"])
    upload_id = url.rsplit("/", 1)[-1]
    for user in (lakeside_user, outsider):
        other = Client()
        other.force_login(user)
        assert other.head(url, **TUS).status_code == 404
        assert tus_patch(other, url, b"x", len(samples["jpeg"])).status_code == 404
        assert other.delete(url, **TUS).status_code == 404
        response = other.post(
            "/marketing/complete-chunk-upload",
            {"upload_id": upload_id, "schedule_mode": "draft"},
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 404 if user == lakeside_user else 403
    assert Upload.objects.get().offset == len(samples["jpeg"])
    assert not MediaContent.objects.exists()


def test_csrf_token_required_in_header(sunrise_user, samples):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sunrise_user)
    assert tus_create(client, 100).status_code == 403
    client.get("/marketing/media")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = tus_create(client, 100, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    url = response["Location"]
    assert tus_patch(client, url, samples["mp4"][:10]).status_code == 403
    assert tus_patch(client, url, samples["mp4"][:10], HTTP_X_CSRFTOKEN=token).status_code == 204
    assert client.delete(url, **TUS).status_code == 403
    assert Upload.objects.get().offset == 10


def test_a_claimed_upload_answers_423(sunrise_client, samples):
    url = tus_create(sunrise_client, 5000)["Location"]
    Upload.objects.update(locked_until=timezone.now() + datetime.timedelta(seconds=30))
    response = tus_patch(sunrise_client, url, samples["mp4"][:10])
    assert response.status_code == 423
    assert "Another request is writing" in response.json()["error"]
    # An expired lease (the holder crashed) does not block anyone.
    Upload.objects.update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert tus_patch(sunrise_client, url, samples["mp4"][:10]).status_code == 204


def _reader(data: bytes, fail_after: int):
    """A request body whose connection breaks after ``fail_after`` bytes."""
    sent = 0

    def read(size: int) -> bytes:
        nonlocal sent
        if sent >= fail_after:
            raise OSError("connection reset by peer")
        block = data[sent : min(sent + size, fail_after)]
        sent += len(block)
        return block

    return read


def test_broken_connection_keeps_received_bytes(sunrise, samples):
    data = samples["mp4"]
    upload = services.upload_create(
        organization=sunrise, created_by=None, length=len(data), metadata={}
    )
    services.upload_append(
        upload=upload, offset=0, read=_reader(data, 700), content_length=len(data)
    )
    upload.refresh_from_db()
    assert upload.offset == 700
    with get_store().open(upload) as file:
        assert file.read() == data[:700]


def test_broken_connection_with_checksum_keeps_nothing(sunrise, samples):
    data = samples["mp4"]
    upload = services.upload_create(
        organization=sunrise, created_by=None, length=len(data), metadata={}
    )
    with pytest.raises(services.UploadError):
        services.upload_append(
            upload=upload,
            offset=0,
            read=_reader(data, 700),
            content_length=len(data),
            checksum=ChunkChecksum(hashlib.sha1, hashlib.sha1(data).digest()),  # noqa: S324
        )
    upload.refresh_from_db()
    assert upload.offset == 0
    with get_store().open(upload) as file:
        assert file.read() == b""


def test_restart_unacknowledged_tail_dropped(
    sunrise_client, samples, django_capture_on_commit_callbacks
):
    """After a crash between the write and the offset update, only acknowledged bytes count."""
    data = samples["mp4"]
    url = tus_create(sunrise_client, len(data))["Location"]
    tus_patch(sunrise_client, url, data[:1000])
    upload = Upload.objects.get()
    with open(get_store().path(upload), "ab") as file:
        file.write(b"garbage the server never acknowledged")
    response = sunrise_client.head(url, **TUS)
    assert response["Upload-Offset"] == "1000"
    assert tus_patch(sunrise_client, url, data[1000:], 1000).status_code == 204
    upload.refresh_from_db()
    with get_store().open(upload) as file:
        assert file.read() == data
    with django_capture_on_commit_callbacks(execute=True):  # the worker processes it
        response = sunrise_client.post(
            "/marketing/complete-chunk-upload",
            {"upload_id": str(upload.pk), "title": "Walkaround"},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 201
    media = MediaContent.objects.get(pk=response.json()["id"])
    assert media.lead_file.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("sample", ["html", "bmp", "unknown"])
def test_unsupported_types_are_refused_at_the_first_chunk(
    sunrise_client, samples, stored_files, sample
):
    data = samples[sample]
    url = tus_create(sunrise_client, len(data), "photo.jpg", "image/jpeg")["Location"]
    response = tus_patch(sunrise_client, url, data)
    assert response.status_code == 415
    assert response.json()["error"] == (
        "This file is not a supported type: upload JPEG, PNG, WebP or GIF images, "
        "or MP4, MOV or WebM videos."
    )
    assert not Upload.objects.exists()
    assert stored_files() == []


def test_a_patch_costs_six_statements(sunrise_client, samples, django_assert_num_queries):
    """The session, the user, the dealership, the upload, the claim, the new offset.

    The UPDATE that records the offset also releases the claim, so no third UPDATE
    follows it (each statement is CPU on the web server, about 200 PATCHes per GiB).
    """
    url = tus_create(sunrise_client, 5000)["Location"]
    with django_assert_num_queries(6):
        assert tus_patch(sunrise_client, url, samples["mp4"][:10]).status_code == 204
    upload = Upload.objects.get()
    assert (upload.offset, upload.lock_token, upload.locked_until) == (10, "", None)
