"""A PATCH's body read with as few copies as the web server allows.

Under gunicorn a body passes through three buffered readers on its way to the
view (its socket unreader, its length reader and body, then Django's
``LimitedStream``), and each MiB is copied about six times into freshly
allocated buffers: for a 5 MiB tus chunk that costs about as much CPU as
writing it. So when gunicorn serves a body of known length that nobody has read
yet, the few bytes gunicorn already holds (read with the headers) are taken
through its own length reader, and the rest is read from the socket straight
into one of two reused buffers (``recv_into``) while gunicorn's length reader is
kept told how much is left; keep-alive, and gunicorn's draining of a body the
view did not finish, work as before. Any other server (runserver, Django's test
client) or body (chunked) gets ``request.read``.

Each block is a ``memoryview`` valid until the next-but-one read: one block may
be hashed on another thread while the next arrives (``digests.Digests``), and a
store that keeps a block longer copies it. Blocks are 256 KiB: with 1 MiB ones the
worker's peak under the S3 store was 5 to 8 MB higher (bench/upload.py), for
0.15 s less CPU per GiB on the local store.
"""

import io
from collections.abc import Callable

from django.http import HttpRequest

BLOCK = 256 * 1024  # the most one read answers (the caller may ask for more)

try:  # gunicorn is production's server; without it, the ordinary way
    from gunicorn.http.body import Body, LengthReader
    from gunicorn.http.unreader import SocketUnreader
except ImportError:  # pragma: no cover
    Body = LengthReader = SocketUnreader = None


def _buffered(stream: io.BytesIO) -> int:
    return stream.getbuffer().nbytes


class _GunicornBody:
    """The request body on gunicorn's socket, read into two alternating buffers."""

    def __init__(self, body):
        self._body = body
        self._reader = body.reader
        self._socket = self._reader.unreader.sock
        self._buffers = (memoryview(bytearray(BLOCK)), memoryview(bytearray(BLOCK)))
        self._turn = 0

    def read(self, size: int) -> memoryview | bytes:
        reader = self._reader
        size = min(size, reader.length, BLOCK)
        if size <= 0:
            return b""
        held = min(_buffered(reader.unreader.buf), size)
        if held:  # what came with the headers: gunicorn's own reader, no socket read
            return reader.read(held)
        buffer = self._buffers[self._turn]
        self._turn ^= 1
        got = 0
        try:
            while got < size:
                received = self._socket.recv_into(buffer[got:size])
                if not received:
                    break
                got += received
                reader.length -= received
        except OSError:
            self._body.failed = True  # where the next request starts is unknown now
            raise
        return buffer[:got]


def body_reader(request: HttpRequest, content_length: int | None) -> Callable[[int], object]:
    """``read(size)`` for the request's body: from gunicorn's socket when it is safe."""
    body = request.environ.get("wsgi.input")
    if (
        Body is None
        or content_length is None
        or type(body) is not Body
        or type(body.reader) is not LengthReader
        or type(body.reader.unreader) is not SocketUnreader
        or not all(hasattr(body.reader, name) for name in ("length", "unreader"))
        or not hasattr(body.reader.unreader, "sock")
    ):
        return request.read
    # Untouched so far (gunicorn holds nothing of it in its body buffer, and has all
    # of it still to deliver): else whoever read first keeps the ordinary way.
    if _buffered(body.buf) or body.reader.length != content_length:
        return request.read
    return _GunicornBody(body).read
