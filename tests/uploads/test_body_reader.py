"""uploads/body.py over gunicorn's own readers and a real socket pair."""

import os
import socket
import threading

from django.test import RequestFactory
from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader

from uploads.body import BLOCK, body_reader


def _gunicorn_request(held: bytes, length: int):
    """A request as gunicorn hands it over: ``held`` came in with the headers."""
    ours, theirs = socket.socketpair()
    unreader = SocketUnreader(ours)
    unreader.unread(held)
    request = RequestFactory().generic("PATCH", "/marketing/uploads/x")
    request.environ["wsgi.input"] = Body(LengthReader(unreader, length))
    return request, unreader, theirs


def _send(client: socket.socket, data: bytes) -> threading.Thread:
    """The client sends while the server reads (a socket pair buffers only so much)."""
    thread = threading.Thread(target=client.sendall, args=(data,), daemon=True)
    thread.start()
    return thread


def _read_all(read) -> bytes:
    blocks = []
    while block := read(BLOCK):
        blocks.append(bytes(block))
    return b"".join(blocks)


def test_the_body_comes_from_the_socket_and_gunicorn_keeps_count():
    body = os.urandom(3 * BLOCK + 7)
    held, rest = body[:5000], body[5000:]
    request, unreader, client = _gunicorn_request(held, len(body))
    sending = _send(client, rest + b"GET /next HTTP/1.1\r\n\r\n")  # a request behind the body
    read = body_reader(request, len(body))
    assert read != request.read  # the fast path
    assert _read_all(read) == body
    sending.join()
    wsgi_input = request.environ["wsgi.input"]
    assert wsgi_input.reader.length == 0  # gunicorn sees the body as read to its end
    assert wsgi_input.read(10) == b""
    assert unreader.read(22) == b"GET /next HTTP/1.1\r\n\r\n"  # the next request is intact


def test_a_pipelined_request_in_the_held_bytes_stays_with_gunicorn():
    body = b"x" * 600
    request, unreader, _client = _gunicorn_request(body + b"HEAD /next HTTP/1.1\r\n\r\n", 600)
    assert _read_all(body_reader(request, 600)) == body
    assert unreader.read(23) == b"HEAD /next HTTP/1.1\r\n\r\n"


def test_each_block_is_a_reused_buffer_valid_until_the_next_but_one_read():
    body = os.urandom(3 * BLOCK)
    request, _unreader, client = _gunicorn_request(b"", len(body))
    _send(client, body)
    read = body_reader(request, len(body))
    first, second = read(BLOCK), read(BLOCK)
    assert (bytes(first), bytes(second)) == (body[:BLOCK], body[BLOCK : 2 * BLOCK])
    third = read(BLOCK)
    assert third.obj is first.obj  # two buffers, alternating: no allocation per block


def test_a_body_someone_read_already_or_another_server_gets_request_read():
    request, _unreader, client = _gunicorn_request(b"", 100)
    client.sendall(b"y" * 100)
    assert request.environ["wsgi.input"].read(10) == b"y" * 10
    assert body_reader(request, 100) == request.read
    plain = RequestFactory().generic("PATCH", "/marketing/uploads/x", b"z" * 10)
    assert body_reader(plain, 10) == plain.read  # Django's test client, runserver
    chunked, _unreader, _client = _gunicorn_request(b"", 5)
    assert body_reader(chunked, None) == chunked.read  # no Content-Length: no fast path
