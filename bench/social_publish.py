"""The cost of one publish on the Graph path, against the fake Graph API on 127.0.0.1.

Run: python bench/social_publish.py [posts] [--database-url postgres://…] [--threads N]

Uses a throw-away SQLite database under a temporary directory unless
``--database-url`` names an empty database (PostgreSQL: it is migrated, then
used; drop and create it again before the next run). Publishes ``posts``
Facebook photos, then as many Instagram images, through ``publish_post`` one
after another, or on ``--threads`` threads as the thread pool of the publishing
worker does. Prints per destination: posts per second, the worker's CPU per post
(the publishing threads' own CPU time: the fake Graph API and the file server run
in other threads and are not counted), PostgreSQL's CPU per post (its backends'
time, read from /proc when the server runs on this machine), SQL queries and
HTTP requests per post.
"""

import argparse
import cProfile
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
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from dealer_media.tenancy.models import Organization  # noqa: E402
from media_content.models import ScheduledPost  # noqa: E402
from publishing.engine import publish_post  # noqa: E402
from social.models import SocialAccount  # noqa: E402
from tests.factories import MediaContentFactory  # noqa: E402


class Meter:
    """The publishing threads' CPU time, their SQL queries, and the database backends' CPU."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cpu = 0.0
        self.queries = 0
        self.database_cpu = 0.0
        self.postgresql = False

    def count(self, execute, sql, params, many, context):
        with self.lock:
            self.queries += 1
        return execute(sql, params, many, context)

    def run(self, ids: list[int]) -> None:
        backend = _backend_pid()
        database_started = _process_cpu(backend) if backend else 0.0
        profile = (
            cProfile.Profile() if ARGS.profile and threading.current_thread().name == "p0" else None
        )
        started = time.thread_time()
        with connection.execute_wrapper(self.count):
            if profile:
                profile.enable()
            for post_id in ids:
                publish_post(post_id=post_id)
            if profile:
                profile.disable()
        elapsed = time.thread_time() - started
        if profile:
            pstats.Stats(profile).sort_stats(ARGS.profile).print_stats(40)
        database = _process_cpu(backend) - database_started if backend else 0.0
        with self.lock:
            self.cpu += elapsed
            self.database_cpu += database
            self.postgresql = self.postgresql or bool(backend)
        connections.close_all()


def _backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _process_cpu(pid: int) -> float:
    """A process's user + system CPU seconds from /proc (0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(count: int, threads: int, destinations: list[str]) -> None:
    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench", slug="bench")
    account = SocialAccount(organization=org, page_id="111", instagram_account_id="17841")
    account.set_token("EAAbenchToken000000000000000000")
    account.verified_at = timezone.now()  # checked a moment ago: no check before the posts
    account.save()
    print(f"{connection.vendor}, {threads} thread(s), load average {os.getloadavg()}")
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
        meter = Meter()
        workers = [
            threading.Thread(target=meter.run, args=(ids[i::threads],), name=f"p{i}")
            for i in range(threads)
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        posted = ScheduledPost.objects.filter(pk__in=ids, status="posted").count()
        requests = len(fake.requests) - before
        database = (
            f", PostgreSQL {meter.database_cpu / count * 1000:.1f} ms" if meter.postgresql else ""
        )
        print(
            f"{destination}: {posted}/{count} posted in {elapsed:.2f}s "
            f"({count / elapsed:.1f} posts/s; per post: worker CPU "
            f"{meter.cpu / count * 1000:.1f} ms{database}, {meter.queries / count:.1f} SQL "
            f"queries, {requests / count:.1f} HTTP requests)"
        )
        for post in ScheduledPost.objects.filter(pk__in=ids).exclude(status="posted")[:2]:
            print(f"  {post.pk} {post.status}: {post.last_error}")
    fake.stop()
    cdn.shutdown()


if __name__ == "__main__":
    main(ARGS.posts, ARGS.threads, ARGS.destinations.split(","))
