"""Fixtures for upload tests: real media made by Pillow and the bundled ffmpeg, tus helpers."""

import base64
import io
import subprocess

import imageio_ffmpeg
import pytest
from django.test import Client
from PIL import Image

from tests.media import jpeg_bytes

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def _image(fmt: str, size=(64, 48), **kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _video(tmp_path, name: str, *args: str) -> bytes:
    out = tmp_path / name
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=10",
            "-t",
            "2",
            *args,
            "-y",
            str(out),
        ],
        check=True,
    )
    return out.read_bytes()


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, bytes]:
    """One real file of every accepted kind, plus bad inputs uploads must refuse."""
    tmp = tmp_path_factory.mktemp("samples")
    mp4 = _video(tmp, "clip.mp4", "-pix_fmt", "yuv420p")
    faststart = _video(tmp, "fast.mp4", "-pix_fmt", "yuv420p", "-movflags", "+faststart")
    webm = _video(tmp, "clip.webm", "-c:v", "libvpx")
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-v", "error", "-f", "lavfi", "-i", "sine", "-t", "1", str(tmp / "audio.mp4")),
        ],
        check=True,
    )
    audio = (tmp / "audio.mp4").read_bytes()
    jpeg = jpeg_bytes(640, 480)
    # A 1-bit PNG of 20000 x 20000 pixels: a few kB on disk, 400 megapixels decoded.
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")
    return {
        "jpeg": jpeg,
        "png": _image("PNG"),
        "webp": _image("WEBP"),
        "gif": _image("GIF"),
        "mp4": mp4,
        "mov": _video(tmp, "clip.mov", "-pix_fmt", "yuv420p", "-f", "mov"),
        "webm": webm,
        "truncated_jpeg": jpeg[: len(jpeg) // 2],
        "truncated_mp4": mp4[: len(mp4) // 2],
        "truncated_faststart_mp4": faststart[: len(faststart) * 2 // 3],
        "truncated_webm": webm[: len(webm) // 2],
        "audio_only_mp4": audio,
        "bomb_png": bomb.getvalue(),
        "html": b"<!doctype html><html><script>alert(document.cookie)</script></html>\n",
        "bmp": _image("BMP"),
        "unknown": b"\x00\x01\x02\x03 not a known format" * 10,
    }


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.TUS_UPLOAD_DIR = tmp_path / "uploads"


def signed_in_headers(user) -> dict[str, str]:
    """The session cookie and CSRF token a browser would send, taken from a signed-in client."""
    client = Client()
    client.force_login(user)
    client.get("/marketing/media")
    session, token = client.cookies["sessionid"].value, client.cookies["csrftoken"].value
    return {"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token}


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def tus_create(client: Client, length: int, filename="clip.mp4", filetype="video/mp4", **extra):
    return client.post(
        "/marketing/uploads/",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=f"filename {b64(filename)},filetype {b64(filetype)}",
        **TUS,
        **extra,
    )


def tus_patch(client: Client, url: str, data: bytes, offset: int = 0, **extra):
    return client.generic(
        "PATCH",
        url,
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **TUS,
        **extra,
    )


def tus_upload(client: Client, data: bytes, filename="clip.mp4", filetype="video/mp4") -> str:
    """Create and fill an upload through the test client; return its id."""
    response = tus_create(client, len(data), filename, filetype)
    assert response.status_code == 201, response.content
    url = response["Location"]
    response = tus_patch(client, url, data)
    assert response.status_code == 204, response.content
    return url.rsplit("/", 1)[-1]


@pytest.fixture
def stored_files(settings):
    """Every file under the media root and the upload directory, for 'nothing left behind'."""

    def _files() -> list:
        found = []
        for root in (settings.MEDIA_ROOT, settings.TUS_UPLOAD_DIR):
            from pathlib import Path

            found += [p for p in Path(root).rglob("*") if p.is_file()]
        return found

    return _files
