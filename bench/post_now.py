"""Benchmark of "Post now": from ``complete-chunk-upload`` to the post shown "posted".

    python bench/post_now.py --publisher sandbox [--runs 20]
    python bench/post_now.py --publisher graph [--runs 20] [--graph-delay 0.05]

Targets: p50 ≤ 1.0 s with the sandbox publisher, ≤ 1.5 s against a fake
Graph API that answers every request in 50 ms.

Real processes, as in production: the project under gunicorn (1 worker, 4 threads,
``DEBUG`` on, a throwaway SQLite database and media root under a temporary folder), a
real ``celery worker`` (prefork, 2 processes) on Redis (``CELERY_BROKER_URL``, default
``redis://127.0.0.1:6379/13``, a queue of its own) and no beat: nothing but the
product's own messages moves a post. With ``--publisher graph`` the worker publishes
through the real Graph client to ``tests/social/fake_graph.py``'s FakeGraph, run in
this process with every answer delayed by ``--graph-delay`` seconds.

Each run signs in once, then per post: a new small JPEG (640x480, different bytes each
time so the duplicate check never answers) goes up through tus (one POST with
creation-with-upload), then the clock starts, ``complete-chunk-upload`` is sent with
``schedule_mode=now`` and Facebook ticked, and the item's JSON
(``/marketing/media/<id>/get``) is read every 20 ms until Facebook says "posted". One
warm-up post is not counted. Prints every time, then p50 / p90 / max, and the posts by
their number of attempts (2: the first found the file processing, the end of processing
sent the second).
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.02


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def environment(work: Path, args) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dealer_media.settings",
        "DEBUG": "true",
        "SECRET_KEY": "bench-only-not-a-secret",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "TUS_UPLOAD_DIR": str(work / "uploads"),
        "CELERY_BROKER_URL": args.broker,
        "CELERY_TASK_DEFAULT_QUEUE": (queue := f"bench-post-now-{uuid.uuid4().hex[:8]}"),
        "CELERY_QUEUE_PREFIX": f"{queue}.",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CACHE_URL": "locmemcache://bench",
        "LOG_LEVEL": "WARNING",
        "SOCIAL_PUBLISHER": args.publisher,
    }
    if args.publisher == "graph":
        from cryptography.fernet import Fernet

        env["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    return env


SETUP = """
from django.contrib.auth.models import User
from dealer_media.tenancy.models import Membership, Organization
org = Organization.objects.create(name="Bench Motors", slug="bench-motors")
user = User.objects.create_user("bench", password="bench-pass-123")
Membership.objects.create(user=user, organization=org)
if {graph!r}:
    from social.models import SocialAccount
    account = SocialAccount(organization=org, page_id="111", page_name="Bench Motors")
    account.set_token("EAAbenchToken000000000000000000")
    account.save()
"""


def every_queue(env: dict[str, str]) -> str:
    """The worker's -Q: every kind of queue, under this run's names (one worker does all)."""
    sys.path.insert(0, str(ROOT))
    from dealer_media.queues import queue_names

    names = queue_names(prefix=env["CELERY_QUEUE_PREFIX"], default=env["CELERY_TASK_DEFAULT_QUEUE"])
    return ",".join(names.values())


def start_fake_graph(delay: float):
    sys.path.insert(0, str(ROOT))
    from tests.social.fake_graph import FakeGraph

    class SlowGraph(FakeGraph):
        """Meta at a steady ``delay`` per answer (FakeGraph answers at once)."""

        def app(self, environ, start_response):
            time.sleep(delay)
            return super().app(environ, start_response)

    return SlowGraph().start()


def start_processes(work: Path, env: dict[str, str]) -> list[subprocess.Popen]:
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    graph = env["SOCIAL_PUBLISHER"] == "graph"
    subprocess.run(
        [python, "manage.py", "shell", "-c", SETUP.format(graph=graph)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    sock = listening_socket()
    web = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "dealer_media.wsgi",
            *("--bind", f"fd://{sock.fileno()}", "--workers", "1", "--threads", "4"),
            *("--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        pass_fds=[sock.fileno()],
        stdout=(work / "web.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    env["BENCH_URL"] = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
    log = (work / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            python,
            *("-m", "celery", "-A", "dealer_media", "worker", "--pool=prefork"),
            *("--concurrency=2", "--without-gossip", "--without-mingle"),
            *("-Q", every_queue(env), "--loglevel=INFO"),
        ],
        cwd=ROOT,
        env={**env, "LOG_LEVEL": "INFO"},  # its "ready." line is at INFO
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while "ready." not in (work / "worker.log").read_text(errors="replace"):
        if time.monotonic() > deadline or worker.poll() is not None:
            raise SystemExit(f"The worker did not start; see {work / 'worker.log'}.")
        time.sleep(0.2)
    return [web, worker]


def sign_in(base: str) -> requests.Session:
    session = requests.Session()
    for _ in range(300):
        try:
            session.get(f"{base}/accounts/login/", timeout=5)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": "bench",
            "password": "bench-pass-123",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    response.raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["Referer"] = f"{base}/marketing/media"
    return session


PHOTO_SIZE = (640, 480)


def small_jpeg(number: int, size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG of other bytes each time; above 640x480 with a photo's grain (``--size``)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (20 + number % 200, 40, 90))
    if size > (640, 480):
        grain = Image.effect_noise(size, 24).convert("RGB")
        image = Image.blend(image, grain, 0.25)
    ImageDraw.Draw(image).text((20, 20), f"Bench post {number} {uuid.uuid4()}", fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def tus_upload(session: requests.Session, base: str, data: bytes) -> str:
    name = base64.b64encode(b"lot.jpg").decode()
    answer = session.post(
        f"{base}/marketing/uploads/",
        data=data,
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(data)),
            "Upload-Metadata": f"filename {name}",
            "Content-Type": "application/offset+octet-stream",
        },
        timeout=30,
    )
    if answer.status_code != 201 or answer.headers.get("Upload-Offset") != str(len(data)):
        raise SystemExit(f"tus POST answered {answer.status_code}: {answer.text[:300]}")
    return answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def post_now(
    session: requests.Session, base: str, number: int, timeout: float
) -> tuple[float, float]:
    """Seconds from sending complete-chunk-upload to its answer, and to Facebook's "posted"."""
    upload_id = tus_upload(session, base, small_jpeg(number, PHOTO_SIZE))
    started = time.perf_counter()
    answer = session.post(
        f"{base}/marketing/complete-chunk-upload",
        data={
            "upload_id": upload_id,
            "title": f"Bench post {number}",
            "post_to_facebook": "on",
            "schedule_mode": "now",
        },
        headers={"Accept": "application/json"},
        timeout=30,
    )
    if answer.status_code != 201:
        raise SystemExit(f"complete-chunk-upload answered {answer.status_code}: {answer.text}")
    answered = time.perf_counter() - started
    media_id = answer.json()["id"]
    while time.perf_counter() - started < timeout:
        item = session.get(f"{base}/marketing/media/{media_id}/get", timeout=30).json()
        facebook = item["destinations"].get("facebook", {})
        if facebook.get("status") == "posted":
            return answered, time.perf_counter() - started
        if facebook.get("status") in ("failed", "unconfirmed"):
            raise SystemExit(f"Post {number}: {facebook}")
        time.sleep(POLL_SECONDS)
    raise SystemExit(f"Post {number} not posted within {timeout} s.")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publisher", choices=["sandbox", "graph"], default="sandbox")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--graph-delay", type=float, default=0.05)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--size", default="640x480", help="the photo's size, e.g. 4000x3000 (12 MP)"
    )
    args = parser.parse_args()
    global PHOTO_SIZE
    PHOTO_SIZE = tuple(int(side) for side in args.size.lower().split("x"))

    work = Path(tempfile.mkdtemp(prefix="bench-post-now-"))
    env = environment(work, args)
    fake = None
    if args.publisher == "graph":
        fake = start_fake_graph(args.graph_delay)
        env["FACEBOOK_GRAPH_URL"] = env["FACEBOOK_GRAPH_VIDEO_URL"] = fake.url
    processes = start_processes(work, env)
    try:
        base = env["BENCH_URL"]
        session = sign_in(base)
        post_now(session, base, 0, args.timeout)  # warm-up: imports, connections
        times, answers = [], []
        for number in range(1, args.runs + 1):
            answered, seconds = post_now(session, base, number, args.timeout)
            times.append(seconds)
            answers.append(answered)
            print(
                f"post {number:>3}: posted after {seconds:.3f} s "
                f"(complete-chunk-upload answered in {answered:.3f} s)",
                flush=True,
            )
        load = os.getloadavg()
        print(
            f"\n{args.publisher}"
            + (f" (fake Graph, {args.graph_delay * 1000:.0f} ms per answer)" if fake else "")
            + f", {args.runs} posts: p50 {statistics.median(times):.3f} s, "
            f"p90 {percentile(times, 0.9):.3f} s, max {max(times):.3f} s "
            f"(load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}); "
            f"complete-chunk-upload's own answer p50 {statistics.median(answers):.3f} s"
        )
        with sqlite3.connect(work / "db.sqlite3") as db:
            attempts = db.execute(
                "SELECT attempts, status, COUNT(*) FROM media_content_scheduledpost "
                "GROUP BY attempts, status"
            ).fetchall()
        print("posts by attempts and status:", attempts)
        if fake is not None:
            posted = sum(1 for edge, _ in fake.published if edge == "photos")
            print(f"photos published at the fake Graph API: {posted} for {args.runs + 1} posts")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if fake is not None:
            fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
