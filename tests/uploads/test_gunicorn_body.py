"""PATCH bodies read straight from gunicorn's socket (uploads/body.py), on a real gunicorn.

The fast path keeps gunicorn's own bookkeeping of the body, so a kept-alive
connection, a request pipelined right behind a body and a client that stops
mid-body must all behave as they do through gunicorn's readers.
"""

import hashlib
import http.client
import os
import socket

import pytest

from tests.web_servers import WebServer, free_port, server_env
from uploads.models import Upload

from .conftest import b64, signed_in_headers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
MIB = 1024 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


@pytest.fixture
def server(settings):
    server = WebServer(free_port(), server_env(TUS_STORE="local"), keep_alive=5).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def headers(sunrise_user) -> dict[str, str]:
    return {**signed_in_headers(sunrise_user), "Tus-Resumable": "1.0.0"}


def _file(size: int) -> bytes:
    return MP4_HEAD + os.urandom(size - len(MP4_HEAD))


def _create(connection: http.client.HTTPConnection, headers: dict, length: int) -> str:
    connection.request(
        "POST",
        "/marketing/uploads/",
        headers={
            **headers,
            "Upload-Length": str(length),
            "Upload-Metadata": f"filename {b64('lot.mp4')},filetype {b64('video/mp4')}",
        },
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 201, response.status
    return "/marketing/uploads/" + response.getheader("Location").rsplit("/", 1)[-1]


def _patch_headers(headers: dict, offset: int, length: int) -> dict:
    return {
        **headers,
        "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": str(length),
    }


def _stored(path: str, settings) -> bytes:
    upload = Upload.objects.get(pk=path.rsplit("/", 1)[-1])
    return (settings.TUS_UPLOAD_DIR / f"{upload.pk}.part").read_bytes()


def test_large_patches_on_one_kept_alive_connection(server, headers, settings):
    data = _file(7 * MIB + 123)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    path = _create(connection, headers, len(data))
    offset = 0
    for size in (3 * MIB + 1, 4 * MIB - 1, 123):
        chunk = data[offset : offset + size]
        connection.request("PATCH", path, chunk, _patch_headers(headers, offset, size))
        response = connection.getresponse()
        response.read()
        assert response.status == 204, response.status
        offset += size
        assert response.getheader("Upload-Offset") == str(offset)
        connection.request("HEAD", path, headers=headers)  # the same connection, still in step
        response = connection.getresponse()
        response.read()
        assert (response.status, response.getheader("Upload-Offset")) == (200, str(offset))
    connection.close()
    assert hashlib.sha256(_stored(path, settings)).digest() == hashlib.sha256(data).digest()


def test_a_request_pipelined_behind_a_small_body_is_answered(server, headers, settings):
    data = _file(1000)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    path = _create(connection, headers, len(data))
    connection.close()
    lines = [f"PATCH {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in _patch_headers(headers, 0, 600).items()]
    patch = ("\r\n".join(lines) + "\r\n\r\n").encode() + data[:600]
    lines = [f"HEAD {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(patch + head)  # one send: the HEAD arrives with the PATCH's body
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    first, second = answer.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"204") and b"Upload-Offset: 600" in first
    assert second.startswith(b"200") and b"Upload-Offset: 600" in second
    assert _stored(path, settings) == data[:600]


def test_a_client_that_stops_mid_body_keeps_what_arrived(server, headers, settings):
    data = _file(3 * MIB)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    path = _create(connection, headers, len(data))
    connection.close()
    lines = [f"PATCH {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in _patch_headers(headers, 0, len(data)).items()]
    sent = MIB + MIB // 2
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + data[:sent])
        sock.shutdown(socket.SHUT_WR)  # the laptop lid closes: no more bytes come
        while sock.recv(65536):
            pass
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("HEAD", path, headers=headers)
    response = connection.getresponse()
    assert (response.status, response.getheader("Upload-Offset")) == (200, str(sent))
    assert _stored(path, settings) == data[:sent]
