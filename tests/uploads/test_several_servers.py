"""Uploads through two gunicorn servers behind a round-robin proxy, with S3 partial uploads.

The PATCHes of one upload alternate between the servers (no sticky sessions);
one server is killed with SIGKILL mid-upload and the upload resumes through
the other. The stored object must hash like the file, and no multipart upload
may be left after completion, termination or expiry. Last, the embedded local
store on one server keeps every acknowledged byte across a SIGKILL and restart.
"""

import datetime
import hashlib
import io
import json
import os
import socket
import subprocess
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from PIL import Image
from tusclient import client as tus_client

from media_content.models import MediaContent
from tests.processes import wait_for
from tests.s3 import BUCKET
from tests.web_servers import WebServer, free_port, round_robin_proxy, server_env
from uploads.models import Upload
from uploads.services import delete_expired_uploads

from .conftest import signed_in_headers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
MIB = 1024 * 1024

TUS_JS_UPLOAD = """
const fs = require("fs");
const tus = require("tus-js-client");
const [endpoint, path, headers] = process.argv.slice(1);
const upload = new tus.Upload(fs.readFileSync(path), {
  endpoint,
  chunkSize: 1024 * 1024,
  headers: JSON.parse(headers),
  metadata: { filename: "showroom.png", filetype: "image/png" },
  storeFingerprintForResuming: false,
  retryDelays: [0, 200, 500],
  onError: (error) => { console.error(String(error)); process.exit(1); },
  onSuccess: () => { console.log(upload.url); },
});
upload.start();
"""


@pytest.fixture(scope="module")
def showroom_png(tmp_path_factory) -> Path:
    """About 12 MB of noise: two 5 MiB parts and a last one, in 1 MiB PATCHes."""
    image = Image.frombytes("RGB", (2000, 2000), os.urandom(2000 * 2000 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    path = tmp_path_factory.mktemp("servers") / "showroom.png"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def auth_headers(sunrise_user) -> dict[str, str]:
    """Made in this process's database, which the servers share (the session row)."""
    return signed_in_headers(sunrise_user)


@pytest.fixture
def s3_servers(s3, s3_endpoint, settings):
    """Two servers with MEDIA_STORAGE=s3 on the moto server (TUS_STORE follows it)."""
    settings.TUS_STORE = "s3"  # this process too: expiry runs here, as beat's task would
    env = server_env(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    servers = [WebServer(free_port(), env).start() for _ in range(2)]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _multipart_uploads(s3) -> list:
    return s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])


def _partial_objects(s3) -> list:
    return s3.list_objects_v2(Bucket=BUCKET, Prefix="tus/").get("Contents", [])


def _complete(base: str, headers: dict, upload_url: str, title: str) -> MediaContent:
    response = requests.post(
        f"{base}/marketing/complete-chunk-upload",
        data={"upload_id": upload_url.rsplit("/", 1)[-1], "title": title},
        headers={**headers, "Accept": "application/json"},
        timeout=120,
    )
    assert response.status_code == 201, response.text
    return MediaContent.objects.get(pk=response.json()["id"])


def _check_stored(s3, media: MediaContent, data: bytes) -> None:
    body = s3.get_object(Bucket=BUCKET, Key=media.lead_file.file.name)["Body"].read()
    assert _sha256(body) == _sha256(data) == media.lead_file.sha256
    assert _multipart_uploads(s3) == [] and _partial_objects(s3) == []


def test_tuspy_alternates_servers_and_survives_a_sigkill(
    s3, s3_servers, auth_headers, showroom_png
):
    first, second = s3_servers
    data = showroom_png.read_bytes()
    with round_robin_proxy([first.port, second.port]) as base:
        tus = tus_client.TusClient(f"{base}/marketing/uploads/", headers=auth_headers)
        uploader = tus.uploader(
            file_path=str(showroom_png),
            chunk_size=MIB,
            metadata={"filename": "showroom.png", "filetype": "image/png"},
        )
        uploader.upload(stop_at=6 * MIB)
        assert first.requests("PATCH") >= 2 and second.requests("PATCH") >= 2
        upload = Upload.objects.get()
        assert upload.offset == 6 * MIB and len(upload.parts) == 1
        assert len(_multipart_uploads(s3)) == 1

        first.kill()  # mid-upload: the next requests can only reach the other server
        patches_before = second.requests("PATCH")
        resumed = tus_client.TusClient(f"{base}/marketing/uploads/", headers=auth_headers)
        rest = resumed.uploader(file_path=str(showroom_png), chunk_size=MIB, url=uploader.url)
        assert rest.offset == 6 * MIB  # HEAD, answered from the database
        rest.upload()
        assert second.requests("PATCH") > patches_before
        media = _complete(base, auth_headers, uploader.url, "Showroom")
    _check_stored(s3, media, data)
    assert media.lead_file.file.name == Upload.objects.get().object_key  # completed in place


def test_tus_js_client_alternates_servers(s3, s3_servers, auth_headers, showroom_png):
    first, second = s3_servers
    data = showroom_png.read_bytes()
    with round_robin_proxy([first.port, second.port]) as base:
        result = subprocess.run(
            [
                "node",
                "-e",
                TUS_JS_UPLOAD,
                f"{base}/marketing/uploads/",
                str(showroom_png),
                json.dumps(auth_headers),
            ],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert first.requests("PATCH") >= 4 and second.requests("PATCH") >= 4
        media = _complete(base, auth_headers, result.stdout.strip(), "Showroom")
    _check_stored(s3, media, data)


def test_termination_and_expiry_leave_no_multipart_upload(
    s3, s3_servers, auth_headers, showroom_png
):
    first, second = s3_servers
    with round_robin_proxy([first.port, second.port]) as base:
        tus = tus_client.TusClient(f"{base}/marketing/uploads/", headers=auth_headers)
        terminated, expired = (
            tus.uploader(file_path=str(showroom_png), chunk_size=MIB) for _ in range(2)
        )
        for uploader in (terminated, expired):
            uploader.upload(stop_at=7 * MIB)
        assert len(_multipart_uploads(s3)) == 2 and len(_partial_objects(s3)) == 2
        response = requests.delete(
            terminated.url, headers={**auth_headers, "Tus-Resumable": "1.0.0"}, timeout=30
        )
        assert response.status_code == 204
        assert len(_multipart_uploads(s3)) == 1
    Upload.objects.update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    assert delete_expired_uploads() == 1
    assert not Upload.objects.exists()
    assert _multipart_uploads(s3) == [] and _partial_objects(s3) == []
    assert s3.list_objects_v2(Bucket=BUCKET).get("Contents", []) == []


def _start_patch(port: int, url: str, headers: dict, length: int, first: bytes) -> socket.socket:
    """A PATCH whose body is still arriving: it holds the upload's claim."""
    path = url.split("/marketing/", 1)[1]
    lines = [
        f"PATCH /marketing/{path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Tus-Resumable: 1.0.0",
        "Content-Type: application/offset+octet-stream",
        "Upload-Offset: 0",
        f"Content-Length: {length}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + first)
    return sock


def test_two_patches_on_two_servers_meet_the_claim(s3, s3_servers, auth_headers, showroom_png):
    first, second = s3_servers
    data = showroom_png.read_bytes()
    response = requests.post(
        f"http://127.0.0.1:{first.port}/marketing/uploads/",
        headers={**auth_headers, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data))},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    url = response.headers["Location"]
    holder = _start_patch(first.port, url, auth_headers, 2 * MIB, data[:MIB])
    # The first server holds the claim once the row says so (it waits for the rest).
    wait_for(lambda: Upload.objects.filter(lock_token__gt="").exists())
    other = requests.patch(
        f"http://127.0.0.1:{second.port}{url.split(str(first.port), 1)[1]}",
        data=data[:MIB],
        headers={
            **auth_headers,
            "Tus-Resumable": "1.0.0",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
        },
        timeout=30,
    )
    assert other.status_code in (409, 423), other.text
    holder.sendall(data[MIB : 2 * MIB])
    answer = holder.recv(4096).decode()
    holder.close()
    assert answer.startswith("HTTP/1.1 204"), answer
    upload = Upload.objects.get()
    assert (upload.offset, upload.lock_token) == (2 * MIB, "")
    # The tail holds the first PATCH's bytes alone: the second one's never went in.
    body = s3.get_object(Bucket=BUCKET, Key=f"tus/{upload.pk}/tail-0")["Body"].read()
    assert body == data[: 2 * MIB]


def test_local_store_keeps_every_acknowledged_byte_across_a_sigkill(
    auth_headers, showroom_png, settings
):
    data = showroom_png.read_bytes()
    server = WebServer(free_port(), server_env(MEDIA_STORAGE="local", TUS_STORE="local"))
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        tus = tus_client.TusClient(f"{base}/marketing/uploads/", headers=auth_headers)
        uploader = tus.uploader(file_path=str(showroom_png), chunk_size=MIB)
        uploader.upload(stop_at=5 * MIB)
        server.kill()
        server.start()  # the same host again, on the same port and disk
        resumed = tus_client.TusClient(f"{base}/marketing/uploads/", headers=auth_headers)
        rest = resumed.uploader(file_path=str(showroom_png), chunk_size=MIB, url=uploader.url)
        assert rest.offset == 5 * MIB
        rest.upload()
        media = _complete(base, auth_headers, uploader.url, "Showroom")
    finally:
        server.stop()
    stored = Path(settings.MEDIA_ROOT) / media.lead_file.file.name
    assert _sha256(stored.read_bytes()) == _sha256(data) == media.lead_file.sha256
