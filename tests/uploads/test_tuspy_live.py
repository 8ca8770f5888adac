"""The real tuspy client against a live server: chunks, resume, checksum, termination, expiry."""

import datetime
import hashlib
import http.client
import subprocess
import time
from urllib.parse import urlparse

import imageio_ffmpeg
import pytest
import requests
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from media_content.models import MediaContent
from uploads.models import Upload
from uploads.store import get_store

from .conftest import signed_in_headers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def video_file(tmp_path_factory):
    """A real MP4 of a few hundred kB (noise does not compress), so it takes many chunks."""
    path = tmp_path_factory.mktemp("tuspy") / "walkaround.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *(
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "nullsrc=s=160x120:r=10,geq=random(1)*255:128:128",
            ),
            *("-t", "2", "-pix_fmt", "yuv420p", "-b:v", "2M", "-y", str(path)),
        ],
        check=True,
    )
    assert path.stat().st_size > 100_000
    return path


@pytest.fixture
def auth_headers(live_server, sunrise_user):
    """The session cookie and CSRF token a browser would send, taken from a signed-in client."""
    return signed_in_headers(sunrise_user)


@pytest.fixture
def tus(live_server, auth_headers):
    return tus_client.TusClient(f"{live_server.url}/marketing/uploads/", headers=auth_headers)


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stored_sha256(upload) -> str:
    """What the partial-upload store holds for the upload (its bytes, not a digest of ours)."""
    with get_store().open(upload) as file:
        return hashlib.sha256(file.read()).hexdigest()


def _upload_of(url: str) -> Upload:
    return Upload.objects.get(pk=url.rstrip("/").rsplit("/", 1)[-1])


def test_many_chunks_with_checksums_then_complete(tus, video_file, live_server, auth_headers):
    size = video_file.stat().st_size
    uploader = tus.uploader(
        file_path=str(video_file),
        chunk_size=8 * 1024,
        metadata={"filename": "walkaround.mp4", "filetype": "video/mp4"},
        upload_checksum=True,  # sha1 of every chunk, checked by the server
    )
    uploader.upload()
    assert size // (8 * 1024) >= 12  # many chunks
    upload = _upload_of(uploader.url)
    assert upload.offset == upload.length == size
    assert _stored_sha256(upload) == _sha256(video_file)

    response = requests.post(
        f"{live_server.url}/marketing/complete-chunk-upload",
        data={"upload_id": uploader.url.rsplit("/", 1)[-1], "title": "Walkaround"},
        headers={**auth_headers, "Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    media = MediaContent.objects.get(pk=response.json()["id"])
    assert media.lead_file.original_filename == "walkaround.mp4"
    with default_storage.open(media.lead_file.file.name) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == _sha256(video_file)
    assert not get_store().path(upload).exists()


def test_cut_off_and_resumed_by_a_new_client(tus, video_file, live_server, auth_headers):
    size = video_file.stat().st_size
    first = tus.uploader(file_path=str(video_file), chunk_size=16 * 1024)
    first.upload(stop_at=size // 2)
    assert 0 < _upload_of(first.url).offset < size

    fresh = tus_client.TusClient(f"{live_server.url}/marketing/uploads/", headers=auth_headers)
    second = fresh.uploader(file_path=str(video_file), chunk_size=16 * 1024, url=first.url)
    assert second.offset == _upload_of(first.url).offset  # resumes, does not start over
    second.upload()
    upload = _upload_of(first.url)
    assert upload.offset == size
    assert _stored_sha256(upload) == _sha256(video_file)
    with get_store().open(upload) as file:
        assert hashlib.sha256(file.read()).hexdigest() == _sha256(video_file)


def test_connection_broken_mid_chunk_keeps_what_arrived(tus, video_file, auth_headers):
    data = video_file.read_bytes()
    uploader = tus.uploader(file_path=str(video_file), chunk_size=len(data))
    url = uploader.create_url()
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    connection.putrequest("PATCH", parsed.path)
    for name, value in {
        **auth_headers,
        "Tus-Resumable": "1.0.0",
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": str(len(data)),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(data[:50_000])
    connection.sock.close()  # the Wi-Fi drops

    upload = _upload_of(url)
    deadline = time.monotonic() + 30
    while (upload.offset == 0 or upload.locked_until) and time.monotonic() < deadline:
        time.sleep(0.05)
        upload.refresh_from_db()
    assert upload.offset == 50_000
    resumed = tus.uploader(file_path=str(video_file), chunk_size=64 * 1024, url=url)
    assert resumed.offset == 50_000
    resumed.upload()
    assert _stored_sha256(_upload_of(url)) == _sha256(video_file)


def test_concurrent_patches_do_not_interleave(tus, video_file, auth_headers):
    data = video_file.read_bytes()
    url = tus.uploader(file_path=str(video_file)).create_url()
    parsed = urlparse(url)
    headers = {
        **auth_headers,
        "Tus-Resumable": "1.0.0",
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
    }
    slow = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    slow.putrequest("PATCH", parsed.path)
    for name, value in {**headers, "Content-Length": str(len(data))}.items():
        slow.putheader(name, value)
    slow.endheaders()
    slow.send(data[:10_000])
    upload = _upload_of(url)
    deadline = time.monotonic() + 30
    while upload.locked_until is None and time.monotonic() < deadline:
        time.sleep(0.05)
        upload.refresh_from_db()
    assert upload.locked_until is not None  # the first PATCH holds the upload

    other = requests.patch(url, data=data, headers=headers, timeout=30)
    assert other.status_code == 423
    assert "Another request is writing" in other.json()["error"]

    slow.send(data[10_000:])
    response = slow.getresponse()
    assert response.status == 204
    assert response.getheader("Upload-Offset") == str(len(data))
    with get_store().open(upload) as file:
        assert file.read() == data


def test_checksum_mismatch_then_the_client_resumes(tus, video_file, auth_headers):
    data = video_file.read_bytes()
    url = tus.uploader(file_path=str(video_file)).create_url()
    headers = {
        **auth_headers,
        "Tus-Resumable": "1.0.0",
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
        "Upload-Checksum": "sha1 " + "A" * 27 + "=",
    }
    response = requests.patch(url, data=data[:20_000], headers=headers, timeout=30)
    assert response.status_code == 460
    assert response.json()["code"] == "checksum_mismatch"
    assert _upload_of(url).offset == 0
    uploader = tus.uploader(file_path=str(video_file), url=url, upload_checksum=True)
    assert uploader.offset == 0
    uploader.upload()
    assert _stored_sha256(_upload_of(url)) == _sha256(video_file)


def test_terminated_upload_cannot_be_resumed(tus, video_file, auth_headers):
    uploader = tus.uploader(file_path=str(video_file), chunk_size=16 * 1024)
    uploader.upload(stop_at=32 * 1024)
    response = requests.delete(
        uploader.url, headers={**auth_headers, "Tus-Resumable": "1.0.0"}, timeout=30
    )
    assert response.status_code == 204
    assert not Upload.objects.exists()
    assert list(get_store().directory.iterdir()) == []
    with pytest.raises(TusCommunicationError):
        tus.uploader(file_path=str(video_file), url=uploader.url)


def test_expired_upload_is_gone(tus, video_file):
    uploader = tus.uploader(file_path=str(video_file), chunk_size=16 * 1024)
    uploader.upload(stop_at=32 * 1024)
    Upload.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(TusCommunicationError) as error:
        tus.uploader(file_path=str(video_file), url=uploader.url)
    assert "410" in str(error.value) or error.value.status_code == 410
    assert not Upload.objects.exists()
    assert list(get_store().directory.iterdir()) == []


def test_other_dealership_cannot_continue(tus, video_file, live_server, lakeside_user):
    uploader = tus.uploader(file_path=str(video_file), chunk_size=16 * 1024)
    uploader.upload(stop_at=16 * 1024)
    client = Client()
    client.force_login(lakeside_user)
    client.get("/marketing/media")
    session, token = client.cookies["sessionid"].value, client.cookies["csrftoken"].value
    other = tus_client.TusClient(
        f"{live_server.url}/marketing/uploads/",
        headers={"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token},
    )
    with pytest.raises(TusCommunicationError) as error:
        other.uploader(file_path=str(video_file), url=uploader.url)
    assert error.value.status_code == 404
    assert _upload_of(uploader.url).offset == 16 * 1024


def test_patch_streams_in_constant_memory(tus, video_file, tmp_path, auth_headers):
    """A 32 MiB PATCH through the live server allocates about two 1 MiB blocks at a time.

    tracemalloc sees every thread of this process: the server's and the client's.
    """
    import tracemalloc

    big = tmp_path / "big.mp4"
    with open(big, "wb") as file:
        file.write(video_file.read_bytes())
        file.write(bytes(32 * 1024 * 1024))
    url = tus.uploader(file_path=str(big)).create_url()
    headers = {
        **auth_headers,
        "Tus-Resumable": "1.0.0",
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": str(big.stat().st_size),
    }
    tracemalloc.start()
    try:
        with open(big, "rb") as body:
            response = requests.patch(url, data=body, headers=headers, timeout=60)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 204, response.text
    assert response.headers["Upload-Offset"] == str(big.stat().st_size)
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB while streaming 32 MiB"
