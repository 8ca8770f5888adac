"""Local HTTP servers that misbehave the ways feed and photo hosts do: keep-alive, trickling.

Real servers on 127.0.0.1 (``FETCH_ALLOWED_NETWORKS`` opens it in the ``feed_server``
fixture); each runs in a daemon thread and stops when the test closes it.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up (what fetching does to a trickle) is no error here


class _Server:
    handler: type[BaseHTTPRequestHandler]

    def __init__(self):
        self.requests: list[str] = []
        self.connections = 0  # TCP connections the server accepted
        self.stopping = threading.Event()
        self.server = _QuietServer(("127.0.0.1", 0), self.handler)
        self.server.owner = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


class _KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the connection stays open between requests

    def setup(self):
        super().setup()
        self.server.owner.connections += 1

    def do_GET(self):
        owner = self.server.owner
        owner.requests.append(self.path)
        status, headers, body = owner.answers.get(self.path, (404, {}, b"not here"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class KeepAliveServer(_Server):
    """HTTP/1.1 with keep-alive: every answer has a Content-Length, the connection stays."""

    handler = _KeepAliveHandler

    def __init__(self):
        self.answers: dict[str, tuple[int, dict, bytes]] = {}
        super().__init__()

    def serve(
        self, path: str, body: bytes, status: int = 200, content_type: str = "text/csv", **headers
    ) -> str:
        self.answers[path] = (status, {"Content-Type": content_type, **headers}, body)
        return self.url(path)


class _TrickleHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        owner = self.server.owner
        owner.requests.append(self.path)
        try:
            if owner.trickle_headers:  # a header line that takes its time
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nX-Slow: ")
                self._trickle(b"x" * owner.total_bytes)
                self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
                return
            self.send_response(200)
            self.send_header("Content-Type", owner.content_type)
            self.send_header("Content-Length", str(owner.total_bytes))
            self.end_headers()
            self.wfile.flush()
            self._trickle(b"v" * owner.total_bytes)
        except OSError:  # the client gave up: what the tests want
            pass

    def _trickle(self, data: bytes):
        owner = self.server.owner
        for byte in data:
            if owner.stopping.is_set():
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            owner.sent += 1
            time.sleep(owner.every)

    def log_message(self, *args):
        pass


class TrickleServer(_Server):
    """Sends one byte every ``every`` seconds: each read gets a byte before its timeout.

    ``total_bytes`` of body (or, with ``trickle_headers``, of one header line), so a
    fetch with no deadline ends only after ``total_bytes * every`` seconds.
    """

    handler = _TrickleHandler

    def __init__(
        self,
        *,
        every: float = 0.2,
        total_bytes: int = 40,
        trickle_headers: bool = False,
        content_type: str = "text/csv",
    ):
        self.every, self.total_bytes = every, total_bytes
        self.trickle_headers, self.content_type = trickle_headers, content_type
        self.sent = 0
        super().__init__()
