"""SENTRY_DSN: off without it; with it, Django and Celery errors arrive with tokens scrubbed."""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.conf import settings

from dealer_media.ops import sentry as ops_sentry
from dealer_media.ops.sentry import FILTERED, init_sentry, scrub_event

from .sentry_probe import TOKEN


class FakeSentry(ThreadingHTTPServer):
    """Keeps the envelopes POSTed to /api/<project>/envelope/."""

    def __init__(self):
        self.envelopes: list[str] = []
        super().__init__(("127.0.0.1", 0), _Envelopes)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server_address[1]}/1"


class _Envelopes(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.envelopes.append(body.decode())
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_sentry():
    server = FakeSentry()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _events(envelopes: list[str]) -> list[dict]:
    events = []
    for envelope in envelopes:
        lines = envelope.splitlines()
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_nothing_is_turned_on_without_a_dsn(monkeypatch):
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: pytest.fail("init called"))
    assert init_sentry(dsn="") is False


def test_the_scrubber_filters_secret_keys_and_token_shapes():
    event = {
        "message": f"Graph GET /me?access_token={TOKEN} failed",
        "request": {
            "url": "https://dealers.example.com/admin/social/socialaccount/1/change/",
            "query_string": f"access_token={TOKEN}&page=2",
            "headers": {"Authorization": f"Bearer {TOKEN}", "User-Agent": "Chrome"},
            "cookies": {"sessionid": "abc"},
            "data": {"access_token": TOKEN, "page_id": "1234"},
        },
        "extra": {"headers": [["Authorization", "Bearer x"], ["Accept", "text/html"]]},
        "exception": {"values": [{"value": f"OAuth {TOKEN} rejected", "type": "GraphError"}]},
    }
    scrubbed = scrub_event(event, {})
    text = json.dumps(scrubbed)
    assert TOKEN not in text
    request = scrubbed["request"]
    assert request["headers"] == {"Authorization": FILTERED, "User-Agent": "Chrome"}
    assert request["cookies"] == FILTERED
    assert request["data"] == {"access_token": FILTERED, "page_id": "1234"}
    assert request["query_string"] == "access_token=[token]&page=2"
    assert scrubbed["message"] == "Graph GET /me?access_token=[token] failed"
    assert scrubbed["extra"]["headers"] == [["Authorization", FILTERED], ["Accept", "text/html"]]
    assert scrubbed["exception"]["values"][0]["value"] == "OAuth [token] rejected"
    assert event["request"]["data"]["access_token"] == TOKEN  # the original is left alone


def test_init_turns_on_django_and_celery_without_personal_data(monkeypatch):
    seen = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: seen.update(kwargs))
    assert init_sentry(dsn="http://key@127.0.0.1:9/1", environment="production") is True
    names = {type(integration).__name__ for integration in seen["integrations"]}
    assert names == {"DjangoIntegration", "CeleryIntegration"}
    assert seen["send_default_pii"] is False
    assert seen["before_send"] is ops_sentry.scrub_event
    assert seen["environment"] == "production"


def test_errors_arrive_at_sentry_scrubbed(fake_sentry):
    """A real sentry-sdk in another process, sending to a fake Sentry on this machine."""
    subprocess.run(
        [sys.executable, "-m", "tests.ops.sentry_probe"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "SENTRY_DSN": fake_sentry.dsn,
        },
        check=True,
        timeout=60,
        capture_output=True,
    )
    assert fake_sentry.envelopes, "nothing reached the fake Sentry"
    everything = "\n".join(fake_sentry.envelopes)
    assert TOKEN not in everything
    assert "s3ss10n" not in everything and "c5rf" not in everything
    events = _events(fake_sentry.envelopes)
    kinds = {event["exception"]["values"][-1]["type"] for event in events}
    assert {"RuntimeError", "ValueError"} <= kinds
    request_event = next(
        e for e in events if e["exception"]["values"][-1]["type"] == "RuntimeError"
    )
    assert "access_token=[token]" in request_event["exception"]["values"][-1]["value"]
    headers = request_event["request"]["headers"]
    assert headers["Authorization"] == headers["Cookie"] == headers["X-Csrftoken"] == FILTERED
    assert request_event["request"]["query_string"] == "access_token=[token]&page=1"
    assert request_event["tags"]["request_id"] == "probe-request-1"
    assert "user" not in request_event or not request_event["user"].get("ip_address")
