"""Publishing throughput of the Graph path against the fake Graph API on 127.0.0.1.

Run: python bench/social_publish.py [posts]. Uses a throw-away SQLite database
under a temporary directory; prints posts per second for Facebook photos and
for Instagram (limit check, container, status, publish, permalink: 5 requests).
"""

import os
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


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


os.environ.update(
    DJANGO_SETTINGS_MODULE="dealer_media.settings",
    SECRET_KEY="bench-only",  # noqa: S106 - a throw-away bench database
    DATABASE_URL=f"sqlite:///{TMP}/bench.sqlite3",
    MEDIA_ROOT=f"{TMP}/media",
    MEDIA_URL="https://cdn.bench.example/media/",
    SOCIAL_PUBLISHER="graph",
    LOG_LEVEL="ERROR",
)

from cryptography.fernet import Fernet  # noqa: E402

os.environ["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()

import django  # noqa: E402

from tests.social.fake_graph import FakeGraph  # noqa: E402

fake = FakeGraph().start()
# Meta downloads what it is asked to post (the fake does too): MEDIA_ROOT over HTTP
# on 127.0.0.1 stands for the public CDN, as in tests/social/conftest.py.
os.makedirs(f"{TMP}/media", exist_ok=True)
cdn = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietFiles, directory=f"{TMP}/media"))
threading.Thread(target=cdn.serve_forever, daemon=True).start()
fake.url_map = {"https://cdn.bench.example/media/": f"http://127.0.0.1:{cdn.server_port}/"}
os.environ["FACEBOOK_GRAPH_URL"] = os.environ["FACEBOOK_GRAPH_VIDEO_URL"] = fake.url
django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from dealer_media.tenancy.models import Organization  # noqa: E402
from media_content.models import ScheduledPost  # noqa: E402
from publishing.engine import publish_post  # noqa: E402
from social.models import SocialAccount  # noqa: E402
from tests.factories import MediaContentFactory  # noqa: E402


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench", slug="bench")
    account = SocialAccount(organization=org, page_id="111", instagram_account_id="17841")
    account.set_token("EAAbenchToken000000000000000000")
    account.save()
    for destination in ("facebook", "instagram"):
        ids = []
        for _ in range(count):
            # A post of one processed 1200x800 JPEG: publishing waits for a file
            # still being processed, and this measures the publishing alone.
            media = MediaContentFactory(organization=org, title="Bench")
            ids.append(
                ScheduledPost.objects.create(
                    organization=org,
                    media_content=media,
                    title="Bench",
                    destination=destination,
                    scheduled_time=timezone.now(),
                ).pk
            )
        before = len(fake.requests)
        started = time.perf_counter()
        for post_id in ids:
            publish_post(post_id=post_id)
        elapsed = time.perf_counter() - started
        posted = ScheduledPost.objects.filter(pk__in=ids, status="posted").count()
        requests = len(fake.requests) - before
        print(
            f"{destination}: {posted}/{count} posted in {elapsed:.2f}s "
            f"({count / elapsed:.1f} posts/s, {elapsed / count * 1000:.1f} ms/post, "
            f"{requests / count:.0f} HTTP requests/post)"
        )
        for post in ScheduledPost.objects.filter(pk__in=ids).exclude(status="posted")[:2]:
            print(f"  {post.pk} {post.status}: {post.last_error}")
    fake.stop()
    cdn.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
