"""The fake Graph API of ``bench/peak.py``, in a process of its own so its CPU is counted apart.

    python bench/peak_fake.py --delay-ms 500 --media-root DIR --public-url URL --ready-file F

It is ``tests/social/fake_graph.py``'s FakeGraph (the same answers: photos → ``id`` and
``post_id``, Instagram containers FINISHED at once, ``media_publish``, the publishing
limit, permalinks), served differently for a peak:

- HTTP/1.1 with keep-alive, as Meta's servers are: each publishing thread of a worker
  keeps its connection (the tests' wsgiref server closes every connection);
- every answer ``--delay-ms`` after the request arrived (Meta answers in 0.3–3 s); a
  thread per connection sleeps meanwhile, so hundreds of requests wait cheaply;
- Instagram's publishing limit is kept per account (the tests' fake has one window for
  all), 50 posts by apps in 24 hours each, as Meta reads it;
- like Meta, it downloads every photo it is asked to post by URL (``--no-fetch``: it
  does not), from MEDIA_ROOT served by a small static server in this process, which
  stands for the public CDN (``--public-url`` is ``MEDIA_URL``);
- it counts what was made public by caption, for the duplicates, and the requests in
  flight. ``GET /__bench__/summary`` answers those figures as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import threading
import time
from collections import Counter
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.social.fake_graph import FakeGraph, Reply, daily_limit_error  # noqa: E402

IG_QUOTA = {"quota_total": 50, "quota_duration": 86400}


class PeakGraph(FakeGraph):
    """FakeGraph with per-account Instagram quotas and a record of each publish by caption."""

    def __init__(self, *, fetch: bool):
        super().__init__()
        self.server.server_close()  # served by PeakServer below, not by wsgiref
        self.fetch = fetch
        self.ig_quota_config = {"quota_total": 10**9, "quota_duration": 86400}  # per account below
        self.account_publishes: dict[str, list[float]] = {}
        self.captions: Counter[str] = Counter()  # caption -> publishes (photos, media_publish)
        self.publish_times: list[float] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests_served = 0

    def _fetch(self, url: str) -> bool:
        return super()._fetch(url) if self.fetch else True

    def _used(self, ig: str) -> int:
        now = time.time()
        with self.lock:
            return sum(
                1
                for t in self.account_publishes.get(ig, [])
                if now - t < IG_QUOTA["quota_duration"]
            )

    def _default(self, request) -> Reply:
        parts = request.path.split("/", 2)[-1].split("/")
        if request.method == "GET" and parts[-1] == "content_publishing_limit":
            quota = {"quota_usage": self._used(parts[0]), "config": dict(IG_QUOTA)}
            asked = [f for f in request.params.get("fields", "").split(",") if f in quota]
            return Reply(body={"data": [{f: quota[f] for f in asked or quota}]})
        if request.method == "POST" and parts[-1] == "media_publish":
            if self._used(parts[0]) >= IG_QUOTA["quota_total"]:
                return daily_limit_error()
            with self.lock:
                caption = self.containers.get(request.params.get("creation_id", ""), {}).get(
                    "caption", ""
                )
        reply = super()._default(request)
        if reply.status != 200 or request.method != "POST":
            return reply
        if parts[-1] == "media_publish":
            with self.lock:
                self.account_publishes.setdefault(parts[0], []).append(time.time())
                self.captions[caption] += 1
                self.publish_times.append(time.time())
        elif parts[-1] == "photos" and request.params.get("published") != "false":
            with self.lock:
                self.captions[request.params.get("message", "")] += 1
                self.publish_times.append(time.time())
        return reply

    def summary(self) -> dict:
        with self.lock:
            return {
                "requests": self.requests_served,
                "by_edge": dict(Counter(_edge(r) for r in self.requests)),
                "publishes": sum(self.captions.values()),
                "captions": dict(self.captions),
                "first_publish": min(self.publish_times, default=None),
                "last_publish": max(self.publish_times, default=None),
                "max_in_flight": self.max_in_flight,
                "fetched": len(self.fetched),
                "fetched_bytes": sum(size for _, size in self.fetched),
            }


def _edge(request) -> str:
    """``POST photos``, ``GET media_publish``, ``GET ?fields=permalink_url``: what was asked."""
    last = request.path.rsplit("/", 1)[-1]
    if last.replace("_", "").isdigit() or (last.startswith(("c", "m")) and last[1:].isdigit()):
        return f"{request.method} ?fields={request.params.get('fields', '')}"
    return f"{request.method} {last}"


class Handler(BaseHTTPRequestHandler):
    """One keep-alive connection: each request becomes a WSGI call of the fake, answered late."""

    protocol_version = "HTTP/1.1"
    graph: PeakGraph
    delay: float

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def _serve(self) -> None:
        arrived = time.monotonic()
        graph = self.graph
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        if path == "/__bench__/summary":
            figures = {"first_publish": min(graph.publish_times, default=None)}
            if query != "first":
                figures = graph.summary()
            json_type = [("Content-Type", "application/json")]
            return self._answer("200 OK", json_type, json.dumps(figures).encode())
        with graph.lock:
            graph.in_flight += 1
            graph.max_in_flight = max(graph.max_in_flight, graph.in_flight)
        try:
            environ = {
                "REQUEST_METHOD": self.command,
                "PATH_INFO": unquote(path),
                "QUERY_STRING": query,
                "CONTENT_LENGTH": str(length),
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "wsgi.input": io.BytesIO(body),
            }
            for name, value in self.headers.items():
                environ["HTTP_" + name.upper().replace("-", "_")] = value
            answer: dict = {}

            def start_response(status, headers):
                answer["status"], answer["headers"] = status, headers

            data = b"".join(graph.app(environ, start_response))
            time.sleep(max(0.0, self.delay - (time.monotonic() - arrived)))
            self._answer(answer["status"], answer["headers"], data)
        finally:
            with graph.lock:
                graph.in_flight -= 1
                graph.requests_served += 1

    def _answer(self, status: str, headers: list, data: bytes) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason or None)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class PeakServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=500)
    parser.add_argument("--media-root", required=True)
    parser.add_argument("--public-url", required=True)
    parser.add_argument("--app-secret", default="")
    parser.add_argument("--no-fetch", action="store_true")
    parser.add_argument("--ready-file", required=True)
    args = parser.parse_args()

    cdn = PeakServer(("127.0.0.1", 0), partial(_Quiet, directory=args.media_root))
    threading.Thread(target=cdn.serve_forever, daemon=True).start()
    graph = PeakGraph(fetch=not args.no_fetch)
    graph.app_secret = args.app_secret
    graph.url_map = {args.public_url: f"http://127.0.0.1:{cdn.server_port}/"}
    handler = type("BoundHandler", (Handler,), {"graph": graph, "delay": args.delay_ms / 1000})
    server = PeakServer(("127.0.0.1", 0), handler)
    graph.url = f"http://127.0.0.1:{server.server_port}"  # where Reels would upload
    Path(args.ready_file).write_text(graph.url)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
