"""Procfile.production: gunicorn, a Celery worker per kind of work and beat; the web line serves."""

import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

PROCFILE = Path(settings.BASE_DIR) / "Procfile.production"
BIN = Path(sys.executable).parent


def _entries() -> dict[str, str]:
    lines = [line for line in PROCFILE.read_text().splitlines() if line.strip()]
    return dict(line.split(": ", 1) for line in lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command(line: str) -> list[str]:
    """A Procfile line's words after the shell's ``NAME=value`` assignments that lead it."""
    words = shlex.split(line)
    while words and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):
        words.pop(0)
    return words


def _celery_lines() -> list[str]:
    return [name for name in _entries() if name.startswith("worker") or name == "beat"]


def test_procfile_runs_gunicorn_workers_and_beat():
    entries = _entries()
    assert entries["web"].startswith("gunicorn dealer_media.wsgi")
    workers = [name for name in entries if name.startswith("worker")]
    assert len(workers) >= 4, workers  # one per kind of work (tests/test_queues.py)
    for name in workers:
        assert _command(entries[name])[:4] == ["celery", "-A", "dealer_media", "worker"]
    assert _command(entries["beat"])[:4] == ["celery", "-A", "dealer_media", "beat"]
    # The publishing threads share a database pool; a value set for the installation wins.
    assert entries["worker_publishing"].startswith(
        "DATABASE_POOL_MAX_SIZE=${DATABASE_POOL_MAX_SIZE:-8} celery "
    )
    for command in ("gunicorn", "celery"):
        assert (BIN / command).exists(), f"{command} is not installed (requirements/base.txt)"
    # `make run` keeps the development server.
    assert "runserver" in (Path(settings.BASE_DIR) / "Procfile").read_text()


def _get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own server)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_web_line_serves_health_to_a_plain_http_probe_by_ip(tmp_path):
    port = _free_port()
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "media.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_FORMAT": "json",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    web = subprocess.Popen(  # noqa: S602 (a Procfile line runs in a shell, as honcho does)
        _entries()["web"],
        shell=True,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = _get(f"{base}/health/?format=json")
                break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.3)
        assert status == 200, body
        assert set(json.loads(body).values()) == {"OK"}
        request_id = headers["X-Request-ID"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        # Any other page still wants an allowed host name, and HTTPS.
        assert _get(f"{base}/accounts/login/")[0] == 400
        status, headers, _ = _get(f"{base}/accounts/login/", Host="media.example.com")
        assert status == 301 and headers["Location"] == "https://media.example.com/accounts/login/"
        assert headers["X-Request-ID"]  # redirects carry an id too
    finally:
        os.killpg(web.pid, 15)
        web.wait(timeout=30)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    # gunicorn's access line for the probe names the same request id.
    assert any(
        "GET /health/?format=json" in line and f"request_id={request_id}" in line
        for line in output.splitlines()
    ), output


@pytest.mark.parametrize("process", _celery_lines())
def test_the_celery_lines_name_real_commands(process):
    # A ${VARIABLE:-default} is the shell's: its default stands in for it here.
    line = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", _entries()[process])
    command = _command(line)
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:], "--help"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
