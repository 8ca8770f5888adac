"""The cost of one publish on the Graph path, against the fake Graph API on 127.0.0.1.

Run: python bench/social_publish.py [posts] [--database-url postgres://…] [--threads N]
[--graph-delay SECONDS] [--profile cumulative|tottime]

Uses a throw-away SQLite database under a temporary directory unless
``--database-url`` names an empty database (PostgreSQL: it is migrated, then
used; drop and create it again before the next run). Publishes ``posts``
Facebook photos, then as many Instagram images, through ``publish_post`` one
after another, or on ``--threads`` threads as the thread pool of the publishing
worker does, with Meta's answers delayed by ``--graph-delay``. The environment's
settings apply (``DATABASE_POOL_MAX_SIZE`` for the psycopg pool). Prints per
destination: posts per second, the worker's CPU per post (the publishing threads'
own CPU time: the fake Graph API and the file server run in other threads and are
not counted), PostgreSQL's CPU per post and the connections open at the end (its
backends, read from pg_stat_activity and /proc when the server runs on this
machine), SQL queries and HTTP requests per post.
"""

import argparse
import cProfile
import dataclasses
import os
import pstats
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="social-bench-")

parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
parser.add_argument("posts", nargs="?", type=int, default=200)
parser.add_argument("--database-url", default=f"sqlite:///{TMP}/bench.sqlite3")
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--destinations", default="facebook,instagram")
parser.add_argument("--profile", help="print cProfile's top functions of the first thread")
parser.add_argument("--graph-delay", type=float, default=0.0, help="seconds per Graph answer")
ARGS = parser.parse_args()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


os.environ.update(
    DJANGO_SETTINGS_MODULE="dealer_media.settings",
    SECRET_KEY="bench-only",  # noqa: S106 - a throw-away bench database
    DATABASE_URL=ARGS.database_url,
    MEDIA_ROOT=f"{TMP}/media",
    MEDIA_URL="https://cdn.bench.example/media/",
    SOCIAL_PUBLISHER="graph",
    LOG_LEVEL=os.environ.get("LOG_LEVEL", "ERROR"),
)

from cryptography.fernet import Fernet  # noqa: E402

os.environ["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()

import django  # noqa: E402

from tests.social.fake_graph import FakeGraph  # noqa: E402

fake = FakeGraph().start()
fake.ig_quota_config["quota_total"] = 10**9  # the bench measures publishing, not the limit
# Meta downloads what it is asked to post (the fake does too): MEDIA_ROOT over HTTP
# on 127.0.0.1 stands for the public CDN, as in tests/social/conftest.py.
os.makedirs(f"{TMP}/media", exist_ok=True)
cdn = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietFiles, directory=f"{TMP}/media"))
threading.Thread(target=cdn.serve_forever, daemon=True).start()
fake.url_map = {"https://cdn.bench.example/media/": f"http://127.0.0.1:{cdn.server_port}/"}
os.environ["FACEBOOK_GRAPH_URL"] = os.environ["FACEBOOK_GRAPH_VIDEO_URL"] = fake.url
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from dealer_media.tenancy.models import Organization  # noqa: E402
from media_content.models import ScheduledPost  # noqa: E402
from publishing.engine import publish_post  # noqa: E402
from social.models import SocialAccount  # noqa: E402
from tests.factories import MediaContentFactory  # noqa: E402


class Meter:
    """The publishing threads' CPU time and SQL queries; PostgreSQL's backends' CPU."""

    def __init__(self, threads: int):
        self.lock = threading.Lock()
        self.cpu = 0.0
        self.queries = 0
        # Every thread waits at ``done`` (its connection still open, as a worker's stays)
        # until the main thread has read the backends, then at ``leave``.
        self.done = threading.Barrier(threads + 1)
        self.leave = threading.Barrier(threads + 1)

    def count(self, execute, sql, params, many, context):
        with self.lock:
            self.queries += 1
        return execute(sql, params, many, context)

    def run(self, ids: list[int]) -> None:
        profile = (
            cProfile.Profile() if ARGS.profile and threading.current_thread().name == "p0" else None
        )
        started = time.thread_time()
        with connection.execute_wrapper(self.count):
            if profile:
                profile.enable()
            for post_id in ids:
                publish_post(post_id=post_id)
                close_old_connections()  # as Celery's Django fixup does after each task
            if profile:
                profile.disable()
        elapsed = time.thread_time() - started
        if profile:
            pstats.Stats(profile).sort_stats(ARGS.profile).print_stats(40)
        with self.lock:
            self.cpu += elapsed
        self.done.wait()
        self.leave.wait()
        connections.close_all()


def _backends() -> dict[int, float]:
    """This database's PostgreSQL backends (other than ours) and their CPU seconds so far."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return {pid: _process_cpu(pid) for (pid,) in cursor.fetchall()}


def _process_cpu(pid: int) -> float:
    """A process's user + system CPU seconds from /proc (0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _slow_graph(delay: float) -> None:
    """Every answer of the fake Graph API after ``delay`` seconds, as Meta's take 0.3-3 s."""
    answer = fake._default
    fake._default = lambda request: dataclasses.replace(answer(request), delay=delay)


def main(count: int, threads: int, destinations: list[str]) -> None:
    if ARGS.graph_delay:
        _slow_graph(ARGS.graph_delay)
    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench", slug="bench")
    account = SocialAccount(organization=org, page_id="111", instagram_account_id="17841")
    account.set_token("EAAbenchToken000000000000000000")
    account.verified_at = timezone.now()  # checked a moment ago: no check before the posts
    account.save()
    pool = (connection.settings_dict["OPTIONS"].get("pool") or {}).get("max_size")
    print(
        f"{connection.vendor}, {threads} thread(s), Graph answers in {ARGS.graph_delay} s, "
        f"{f'a pool of {pool} connections' if pool else 'no pool'}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for destination in destinations:
        ids = []
        for _ in range(count):
            # A post of one processed 1200x800 JPEG, scheduled as a dealer does, so that
            # the engine reads and writes what it does in production.
            media = MediaContentFactory(organization=org, title="Bench", status="scheduled")
            ids.append(
                ScheduledPost.objects.create(
                    organization=org,
                    media_content=media,
                    title="Bench",
                    destination=destination,
                    scheduled_time=timezone.now(),
                ).pk
            )
        connections.close_all()
        before = len(fake.requests)
        meter = Meter(threads)
        backends_before = _backends()
        workers = [
            threading.Thread(target=meter.run, args=(ids[i::threads],), name=f"p{i}")
            for i in range(threads)
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        meter.done.wait()
        elapsed = time.perf_counter() - started
        backends = _backends()
        meter.leave.wait()
        for worker in workers:
            worker.join()
        database_cpu = sum(cpu - backends_before.get(pid, 0.0) for pid, cpu in backends.items())
        posted = ScheduledPost.objects.filter(pk__in=ids, status="posted").count()
        requests = len(fake.requests) - before
        database = f", PostgreSQL {database_cpu / count * 1000:.1f} ms" if backends else ""
        print(
            f"{destination}: {posted}/{count} posted in {elapsed:.2f}s "
            f"({count / elapsed:.1f} posts/s; per post: worker CPU "
            f"{meter.cpu / count * 1000:.1f} ms{database}, {meter.queries / count:.1f} SQL "
            f"queries, {requests / count:.1f} HTTP requests)"
            + (f"; {len(backends)} database connections" if backends else "")
        )
        for post in ScheduledPost.objects.filter(pk__in=ids).exclude(status="posted")[:2]:
            print(f"  {post.pk} {post.status}: {post.last_error}")
    fake.stop()
    cdn.shutdown()


if __name__ == "__main__":
    main(ARGS.posts, ARGS.threads, ARGS.destinations.split(","))
