"""The S3 partial-upload store (TUS_STORE=s3) against moto's real HTTP server.

Parts of 5 MiB or more go into a multipart upload at the item's final key; the
tail waits in the bucket as the incomplete-part object; the database holds the
state; completion, termination and expiry leave no multipart upload behind.
"""

import base64
import datetime
import hashlib
import io
import os

import pytest
from django.utils import timezone
from PIL import Image

from media_content.models import MediaContent
from tests.s3 import BUCKET
from uploads.models import Upload
from uploads.s3store import PART_SIZE, S3UploadStore
from uploads.store import get_store

from .conftest import TUS, tus_create, tus_patch

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


@pytest.fixture
def s3_store(s3, settings, tmp_path):
    settings.TUS_STORE = "s3"
    settings.TUS_UPLOAD_DIR = tmp_path / "not-used"
    assert isinstance(get_store(), S3UploadStore)
    return s3


@pytest.fixture(scope="module")
def noise_png() -> bytes:
    """About 12 MB of noise: two 5 MiB parts and a last, smaller one."""
    image = Image.frombytes("RGB", (2000, 2000), os.urandom(2000 * 2000 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    assert 2 * PART_SIZE < buffer.tell() < 3 * PART_SIZE
    return buffer.getvalue()


def _multipart_uploads(s3) -> list:
    return s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])


def _keys(s3, prefix: str = "") -> list[str]:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return [item["Key"] for item in listed]


def _complete(client, upload_id, capture, **fields):
    with capture(execute=True):
        return client.post(
            "/marketing/complete-chunk-upload",
            {"upload_id": str(upload_id), "title": "Lot", **fields},
            HTTP_ACCEPT="application/json",
        )


def _send(client, url: str, data: bytes, offset: int, size: int) -> int:
    response = tus_patch(client, url, data[offset : offset + size], offset)
    assert response.status_code == 204, response.content
    return int(response["Upload-Offset"])


def test_parts_tail_and_completion_at_the_final_key(
    s3_store, sunrise_client, sunrise, noise_png, django_capture_on_commit_callbacks
):
    s3, data = s3_store, noise_png
    url = tus_create(sunrise_client, len(data), "lot.png", "image/png")["Location"]
    upload = Upload.objects.get()
    assert _multipart_uploads(s3) == [] and _keys(s3) == []

    offset = _send(sunrise_client, url, data, 0, 3 * MIB)  # below a part: all in the tail
    upload.refresh_from_db()
    assert (upload.offset, upload.parts, upload.multipart_upload_id) == (3 * MIB, [], "")
    assert _keys(s3) == [f"tus/{upload.pk}/tail-0"]

    offset = _send(sunrise_client, url, data, offset, 3 * MIB)  # tail + new bytes: part 1
    upload.refresh_from_db()
    assert [(n, size) for n, _, size in upload.parts] == [(1, 5 * MIB)]
    assert upload.object_key.startswith(f"org-{sunrise.pk}/media/")
    assert upload.object_key.endswith(".png")
    [open_upload] = _multipart_uploads(s3)
    assert (open_upload["Key"], open_upload["UploadId"]) == (
        upload.object_key,
        upload.multipart_upload_id,
    )
    # The 1 MiB past the part is the new tail; the old one went once the database named it.
    assert _keys(s3, "tus/") == [f"tus/{upload.pk}/tail-{5 * MIB}"]

    offset = _send(sunrise_client, url, data, offset, 1 * MIB)
    assert _keys(s3, "tus/") == [f"tus/{upload.pk}/tail-{5 * MIB}"]
    # HEAD answers from the database.
    response = sunrise_client.head(url, **TUS)
    assert response["Upload-Offset"] == str(7 * MIB)

    _send(sunrise_client, url, data, offset, len(data) - offset)
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMPLETE
    assert _multipart_uploads(s3) == []
    assert _keys(s3, "tus/") == []
    stored = s3.get_object(Bucket=BUCKET, Key=upload.object_key)
    assert stored["ContentType"] == "image/png"
    assert stored["ETag"].strip('"').endswith("-3")  # 5 MiB, 5 MiB and the rest
    assert hashlib.sha256(stored["Body"].read()).digest() == hashlib.sha256(data).digest()

    response = _complete(sunrise_client, upload.pk, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.content
    media = MediaContent.objects.get()
    file = media.lead_file
    assert file.file.name == upload.object_key  # completed in place: no copy
    assert file.sha256 == hashlib.sha256(data).hexdigest()
    assert (file.size_bytes, file.width, file.height) == (len(data), 2000, 2000)
    assert [key for key in _keys(s3) if "/media/" in key] == [upload.object_key]
    assert _keys(s3, "tus/") == [] and _multipart_uploads(s3) == []


def test_video_checked_through_a_presigned_url_and_hashed_by_the_worker(
    s3_store, sunrise_client, samples, django_capture_on_commit_callbacks
):
    data = samples["mp4"]
    url = tus_create(sunrise_client, len(data))["Location"]
    _send(sunrise_client, url, data, 0, 1000)
    _send(sunrise_client, url, data, 1000, len(data) - 1000)
    upload = Upload.objects.get()
    assert upload.object_key.endswith(".mp4")
    response = _complete(sunrise_client, upload.pk, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.content
    # No item of its size: the web server never hashed it; the worker did, from the bucket.
    assert response.json()["sha256"] == ""
    media = MediaContent.objects.get(pk=response.json()["id"])
    assert media.lead_file.sha256 == hashlib.sha256(data).hexdigest()
    assert response.json()["media_type"] == "video"
    assert _keys(s3_store, "tus/") == [] and _multipart_uploads(s3_store) == []


def test_corrupt_finished_upload_is_refused_and_leaves_nothing(s3_store, sunrise_client, samples):
    data = samples["truncated_jpeg"]
    url = tus_create(sunrise_client, len(data), "a.jpg", "image/jpeg")["Location"]
    _send(sunrise_client, url, data, 0, len(data))
    response = sunrise_client.post(
        "/marketing/complete-chunk-upload",
        {"upload_id": url.rsplit("/", 1)[-1], "title": "Bad"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert not Upload.objects.exists() and not MediaContent.objects.exists()
    assert _keys(s3_store) == [] and _multipart_uploads(s3_store) == []


@pytest.mark.parametrize("how", ["termination", "expiry"])
def test_termination_and_expiry_abort_the_multipart_upload(
    s3_store, sunrise_client, noise_png, how
):
    url = tus_create(sunrise_client, len(noise_png), "lot.png", "image/png")["Location"]
    _send(sunrise_client, url, noise_png, 0, 6 * MIB)
    _send(sunrise_client, url, noise_png, 6 * MIB, 1 * MIB)
    assert len(_multipart_uploads(s3_store)) == 1 and len(_keys(s3_store, "tus/")) == 1
    if how == "termination":
        assert sunrise_client.delete(url, **TUS).status_code == 204
    else:
        from uploads.services import delete_expired_uploads

        Upload.objects.update(expires_at=timezone.now() - datetime.timedelta(hours=1))
        assert delete_expired_uploads() == 1
    assert not Upload.objects.exists()
    assert _multipart_uploads(s3_store) == [] and _keys(s3_store) == []


def test_bad_checksum_discards_the_chunk_and_its_parts(s3_store, sunrise_client, noise_png):
    data = noise_png
    url = tus_create(sunrise_client, len(data), "lot.png", "image/png")["Location"]
    wrong = "sha1 " + base64.b64encode(b"0" * 20).decode()
    response = tus_patch(sunrise_client, url, data[: 6 * MIB], 0, HTTP_UPLOAD_CHECKSUM=wrong)
    assert response.status_code == 460
    upload = Upload.objects.get()
    assert (upload.offset, upload.parts) == (0, [])
    # The multipart upload it opened is recorded, so termination can still abort it.
    assert upload.multipart_upload_id
    good = "sha1 " + base64.b64encode(hashlib.sha1(data[: 6 * MIB]).digest()).decode()  # noqa: S324
    response = tus_patch(sunrise_client, url, data[: 6 * MIB], 0, HTTP_UPLOAD_CHECKSUM=good)
    assert response.status_code == 204
    _send(sunrise_client, url, data, 6 * MIB, len(data) - 6 * MIB)
    upload.refresh_from_db()
    body = s3_store.get_object(Bucket=BUCKET, Key=upload.object_key)["Body"].read()
    assert body == data


def test_bytes_s3_took_but_the_database_never_recorded_are_dropped(
    s3_store, sunrise_client, noise_png
):
    """A crash after S3 acknowledged but before the offset's UPDATE: the offset still holds."""
    data = noise_png
    url = tus_create(sunrise_client, len(data), "lot.png", "image/png")["Location"]
    _send(sunrise_client, url, data, 0, 2 * MIB)
    upload = Upload.objects.get()
    # A request that sent a part and a new tail, then died before the database heard.
    with get_store().writer(upload) as writer:
        writer.write(b"\x00" * (5 * MIB))
        writer.commit()
    upload.refresh_from_db()
    assert (upload.offset, upload.parts) == (2 * MIB, [])
    assert sunrise_client.head(url, **TUS)["Upload-Offset"] == str(2 * MIB)
    _send(sunrise_client, url, data, 2 * MIB, len(data) - 2 * MIB)
    upload.refresh_from_db()
    body = s3_store.get_object(Bucket=BUCKET, Key=upload.object_key)["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
    assert _multipart_uploads(s3_store) == []


def test_a_duplicate_keeps_its_object_for_a_second_copy(
    s3_store, sunrise_client, samples, django_capture_on_commit_callbacks
):
    data = samples["jpeg"]

    def upload_and_complete(**fields):
        url = tus_create(sunrise_client, len(data), "a.jpg", "image/jpeg")["Location"]
        _send(sunrise_client, url, data, 0, len(data))
        upload_id = url.rsplit("/", 1)[-1]
        return upload_id, _complete(sunrise_client, upload_id, capture, **fields)

    capture = django_capture_on_commit_callbacks

    assert upload_and_complete()[1].status_code == 201
    upload_id, response = upload_and_complete()
    assert response.status_code == 409
    second = Upload.objects.get(pk=upload_id)
    assert second.state == Upload.State.COMPLETE
    assert s3_store.head_object(Bucket=BUCKET, Key=second.object_key)["ContentLength"] == len(data)
    response = _complete(sunrise_client, upload_id, capture, allow_duplicate="true")
    assert response.status_code == 201, response.content
    assert (
        MediaContent.objects.get(pk=response.json()["id"]).lead_file.file.name == second.object_key
    )
    assert len([key for key in _keys(s3_store) if "/media/" in key]) == 2


def test_tus_store_follows_media_storage_and_needs_the_bucket():
    from tests.test_deploy import LOCAL_MEDIA_ENV, PRODUCTION_ENV, _manage

    show = "from uploads.store import get_store; print(type(get_store()).__name__)"
    for env, store in ((PRODUCTION_ENV, "S3UploadStore"), (LOCAL_MEDIA_ENV, "LocalUploadStore")):
        result = _manage("shell", "-c", show, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == store
    result = _manage("check", env={**LOCAL_MEDIA_ENV, "TUS_STORE": "s3"})
    assert result.returncode != 0
    assert "TUS_STORE=s3 needs MEDIA_STORAGE=s3 (the same bucket)." in result.stderr


def test_odd_blocks_make_parts_of_exactly_part_size(s3_store, sunrise_client, noise_png):
    """Blocks of any size (a socket's reads) fill parts of exactly 5 MiB; the last is the rest."""
    s3, data = s3_store, noise_png
    tus_create(sunrise_client, len(data), "lot.png", "image/png")
    upload = Upload.objects.get()
    store = get_store()
    block = 1_234_567  # not a divisor of a part
    with store.writer(upload) as writer:
        for start in range(0, len(data), block):
            writer.write(memoryview(data)[start : start + block])
        state = writer.commit()
    sizes = [size for _, _, size in state["parts"]]
    assert sizes == [PART_SIZE, PART_SIZE, len(data) - 2 * PART_SIZE]
    assert [number for number, _, _ in state["parts"]] == [1, 2, 3]
    assert _multipart_uploads(s3) == []
    stored = s3.get_object(Bucket=BUCKET, Key=state["object_key"])["Body"].read()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(data).digest()


def test_a_tail_is_read_back_into_the_part_and_sent_as_the_last_part(
    s3_store, sunrise_client, noise_png
):
    """A 3 MiB tail comes back from the bucket into the buffer; the rest completes in place."""
    s3, data = s3_store, noise_png
    url = tus_create(sunrise_client, len(data), "lot.png", "image/png")["Location"]
    offset = _send(sunrise_client, url, data, 0, 3 * MIB + 5)
    upload = Upload.objects.get()
    store = get_store()
    with store.writer(upload) as writer:
        rest = memoryview(data)[offset:]
        writer.write(rest[:100])
        writer.write(rest[100:])
        state = writer.commit()
    assert [size for _, _, size in state["parts"]] == [
        PART_SIZE,
        PART_SIZE,
        len(data) - 2 * PART_SIZE,
    ]
    stored = s3.get_object(Bucket=BUCKET, Key=state["object_key"])["Body"].read()
    assert stored == data


def test_part_buffers_are_lent_one_per_patch_and_a_few_kept():
    from uploads.s3store import _PartBuffers

    buffers = _PartBuffers(size=16, keep=2)
    with buffers.borrowed() as first:
        assert len(first) == 16
    with buffers.borrowed() as again:
        assert again is first  # the next PATCH reuses it: no new allocation
    with buffers.borrowed() as a, buffers.borrowed() as b, buffers.borrowed() as c:
        assert len({id(a), id(b), id(c)}) == 3  # PATCHes at once never share one
    with buffers.borrowed() as x, buffers.borrowed() as y, buffers.borrowed() as z:
        kept = {id(x), id(y), id(z)}
    assert len(kept & {id(a), id(b), id(c)}) == 2  # only two of the burst's three stayed


def test_part_body_reads_a_view_as_a_file():
    from uploads.s3store import _PartBody

    body = _PartBody(memoryview(bytearray(b"0123456789"))[:8])
    assert (body.read(3), body.tell()) == (b"012", 3)
    assert body.read() == b"34567" and body.read(4) == b""
    assert body.seek(0, io.SEEK_END) == 8
    assert body.seek(-2, io.SEEK_CUR) == 6 and body.read(10) == b"67"
    body.seek(1)
    into = bytearray(4)
    assert body.readinto(into) == 4 and into == b"1234"


def test_a_size_limit_s3_parts_cannot_reach_is_a_configuration_error(settings):
    from uploads.checks import s3_upload_size_check
    from uploads.s3store import MAX_PARTS

    settings.TUS_STORE = "s3"
    settings.TUS_MAX_SIZE = MAX_PARTS * PART_SIZE
    assert s3_upload_size_check(None) == []
    settings.TUS_MAX_SIZE += 1
    [error] = s3_upload_size_check(None)
    assert error.id == "media_content.E001" and "10,000 parts" in error.msg
    settings.TUS_STORE = "local"  # one file on disk: no part limit
    assert s3_upload_size_check(None) == []
