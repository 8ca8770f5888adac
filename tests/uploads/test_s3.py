"""The S3 path: moto's real HTTP server on 127.0.0.1, django-storages and boto3 unpatched."""

import hashlib
import io
import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from media_content.models import MediaContent
from tests.s3 import BUCKET
from uploads.models import Upload

from .conftest import tus_upload

pytestmark = pytest.mark.django_db


def _objects(client, folder: str = "/media/") -> list[dict]:
    """Stored originals (thumbnails and renditions live in other folders)."""
    contents = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return [item for item in contents if folder in item["Key"]]


@pytest.fixture(scope="module")
def big_png() -> bytes:
    """About 9.7 MB of noise (PNG cannot compress it): larger than one 8 MB S3 part."""
    image = Image.frombytes("RGB", (1800, 1800), os.urandom(1800 * 1800 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    assert buffer.tell() > 8 * 1024 * 1024
    return buffer.getvalue()


def test_finished_upload_moves_to_s3_in_parts(
    s3, settings, sunrise_client, sunrise, big_png, django_capture_on_commit_callbacks
):
    assert default_storage.__class__.__name__ == "MediaS3Storage"
    upload_id = tus_upload(sunrise_client, big_png, "showroom.png", "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = sunrise_client.post(
            "/marketing/complete-chunk-upload",
            {"upload_id": upload_id, "title": "Showroom"},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 201, response.content
    file = MediaContent.objects.get().lead_file
    [stored] = _objects(s3)
    assert stored["Key"] == file.file.name
    assert stored["Key"].startswith(f"org-{sunrise.pk}/media/") and stored["Key"].endswith(".png")
    assert stored["Size"] == len(big_png)
    assert stored["ETag"].strip('"').endswith("-2")  # a multipart upload: two 8 MB parts
    head = s3.head_object(Bucket=BUCKET, Key=stored["Key"])
    assert head["ContentType"] == "image/png"
    body = s3.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read()
    assert hashlib.sha256(body).hexdigest() == file.sha256 == hashlib.sha256(big_png).hexdigest()
    assert Upload.objects.get().state == Upload.State.CONSUMED
    assert list(Path(settings.TUS_UPLOAD_DIR).iterdir()) == []  # the partial upload is gone
    # Processing ran on the S3 file too: its thumbnail is in the bucket.
    file.refresh_from_db()
    assert file.processing_status == "ready"
    assert [thumb["Key"] for thumb in _objects(s3, "/thumbnails/")] == [file.thumbnail.name]


def test_regular_upload_to_s3_and_rejections_leave_nothing(s3, sunrise_client, samples):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = sunrise_client.post(
        "/marketing/media",
        {"media_file": SimpleUploadedFile("clip.mov", samples["webm"]), "title": "Clip"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    [stored] = _objects(s3)
    assert stored["Key"].endswith(".webm")
    assert s3.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read() == samples["webm"]

    response = sunrise_client.post(
        "/marketing/media",
        {"media_file": SimpleUploadedFile("x.jpg", samples["truncated_jpeg"]), "title": "Bad"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert len(_objects(s3)) == 1
    assert MediaContent.objects.count() == 1
