"""Real gunicorn web servers and a round-robin proxy in front of them, for tests.

The proxy is HAProxy from Debian's packages when it is installed (``make
setup`` installs it), else a small TCP proxy here that sends each new
connection to the next server (and on to the other when one refuses). The
servers close every connection after its answer (``--keep-alive 0``, unless a
test asks for keep-alive), so each request is a new connection and requests
alternate between the servers.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from .processes import test_database_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, *, closed: bool = False, timeout: float = 30.0) -> None:
    """Until something listens on ``port`` (or, ``closed``, until nothing does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                if not closed:
                    return
        except OSError:
            if closed:
                return
        time.sleep(0.05)
    state = "still listens" if closed else "does not answer"
    raise AssertionError(f"port {port} {state} after {timeout} s")


class WebServer:
    """One gunicorn (one process, threads) on its own port; killable and restartable."""

    def __init__(self, port: int, env: dict[str, str], *, keep_alive: int = 0):
        self.port, self.env, self.keep_alive = port, env, keep_alive
        self.log_path = Path(tempfile.mkstemp(prefix=f"gunicorn-{port}-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> "WebServer":
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "dealer_media.wsgi",
                "-c",
                "gunicorn.conf.py",
                *("--bind", f"127.0.0.1:{self.port}", "--workers", "1"),
                *("--keep-alive", str(self.keep_alive)),
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes the worker too
        )
        log.close()
        _wait_for_port(self.port)
        return self

    def kill(self) -> None:
        """SIGKILL to the master and its worker: no cleanup, as a crashed host."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            # The worker holds the listening socket too, and may take a moment to die:
            # until then the kernel still accepts connections that nobody will answer.
            _wait_for_port(self.port, closed=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def requests(self, method: str) -> int:
        """How many ``method`` requests this server answered (its access log)."""
        return self.log.count(f'"{method} /marketing/uploads/')


def server_env(**extra: str) -> dict[str, str]:
    """The test database and the product's settings; ``extra`` picks storage and stores."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": test_database_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CELERY_BROKER_URL": "memory://",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TUS_UPLOAD_DIR": str(settings.TUS_UPLOAD_DIR),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


class _TcpProxy:
    """Each accepted connection goes to the next backend; a refusing backend is skipped."""

    def __init__(self, port: int, backends: list[int]):
        self.port, self.backends = port, backends
        self.turn = 0
        self.listener = socket.create_server(("127.0.0.1", port))
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.closed = False

    def start(self) -> None:
        self.thread.start()

    def _serve(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _connect(self) -> socket.socket | None:
        for _ in self.backends:
            port = self.backends[self.turn % len(self.backends)]
            self.turn += 1
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                continue
        return None

    def _relay(self, client: socket.socket) -> None:
        backend = self._connect()
        if backend is None:
            client.close()
            return
        backend.settimeout(None)

        def pipe(source: socket.socket, target: socket.socket) -> None:
            with contextlib.suppress(OSError):
                while data := source.recv(256 * 1024):
                    target.sendall(data)
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_WR)

        other = threading.Thread(target=pipe, args=(backend, client), daemon=True)
        other.start()
        pipe(client, backend)
        other.join()
        client.close()
        backend.close()

    def stop(self) -> None:
        self.closed = True
        self.listener.close()


HAPROXY_CONFIG = """\
global
    maxconn 200
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    option http-server-close
    retries 3
    option redispatch 1
frontend uploads
    bind 127.0.0.1:{port}
    default_backend web
backend web
    balance roundrobin
{servers}
"""


@contextlib.contextmanager
def round_robin_proxy(backends: list[int]) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` in front of ``backends``: HAProxy if installed, else ours."""
    port = free_port()
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if haproxy:
        servers = "\n".join(
            f"    server web{n} 127.0.0.1:{backend}" for n, backend in enumerate(backends)
        )
        config = Path(tempfile.mkstemp(prefix="haproxy-", suffix=".cfg")[1])
        config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers))
        process = subprocess.Popen([haproxy, "-db", "-f", str(config)])
        try:
            _wait_for_port(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    proxy = _TcpProxy(port, backends)
    proxy.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proxy.stop()
