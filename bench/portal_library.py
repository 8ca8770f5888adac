"""Queries and time of the library page with 10,000 items (two posts each).

Run: python bench/portal_library.py [items]. Uses a throw-away SQLite database
under a temporary directory unless DATABASE_URL is set (e.g. a scratch
PostgreSQL database); prints queries and milliseconds for page 1, a middle
page, a search and a status filter.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="portal-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.update(
    DJANGO_SETTINGS_MODULE="dealer_media.settings",
    SECRET_KEY="bench-only",  # noqa: S106 - a throw-away bench database
    DEBUG="true",
    MEDIA_ROOT=f"{TMP}/media",
    LOG_LEVEL="ERROR",
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from dealer_media.tenancy.models import Membership, Organization  # noqa: E402
from library.models import MediaFile  # noqa: E402
from media_content.models import MediaContent, PostFile, ScheduledPost  # noqa: E402


def main(count: int) -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    org, _ = Organization.objects.get_or_create(
        slug="bench-motors", defaults={"name": "Bench Motors", "timezone": "America/Chicago"}
    )
    MediaContent.objects.filter(organization=org).delete()
    MediaFile.objects.filter(organization=org).delete()
    user, _ = get_user_model().objects.get_or_create(username="bench")
    Membership.objects.get_or_create(user=user, organization=org)
    now = timezone.now()
    # Each item is a post of one file of its own, as tests/factories.py builds them
    # (in bulk here: 10,000 posts one by one would take longer than the measurement).
    files = MediaFile.objects.bulk_create(
        (
            MediaFile(
                organization=org,
                title=f"Item {n}",
                file=f"org-{org.pk}/media/bench-{n}.jpg",
                media_type="image" if n % 3 else "video",
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    items = MediaContent.objects.bulk_create(
        (
            MediaContent(
                organization=org,
                title=f"Item {n}",
                description="Spring sale" if n % 10 == 0 else "Weekend offer",
                post_to_facebook=True,
                post_to_instagram=True,
                status="failed" if n % 7 == 0 else "scheduled",
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    PostFile.objects.bulk_create(
        (
            PostFile(organization_id=org.pk, post=item, file=file, position=0)
            for item, file in zip(items, files, strict=True)
        ),
        batch_size=2000,
    )
    posts = []
    for item in items:
        posts.append(
            ScheduledPost(
                organization=org,
                media_content=item,
                title=item.title,
                destination="facebook",
                scheduled_time=now,
                status="posted",
                posted_at=now,
                external_id="1_2",
            )
        )
        posts.append(
            ScheduledPost(
                organization=org,
                media_content=item,
                title=item.title,
                destination="instagram",
                scheduled_time=now,
                status="failed",
                last_error="Not a square photo.",
            )
        )
    ScheduledPost.objects.bulk_create(posts, batch_size=2000)
    client = Client()
    client.force_login(user)
    engine = connection.vendor
    print(f"Library page with {count} items ({engine}), 24 a page:")
    for label, params in [
        ("page 1", {}),
        ("middle page", {"page": count // 48 or 1}),
        ("search", {"q": "spring"}),
        ("status=failed", {"status": "failed"}),
    ]:
        client.get("/marketing/media", params)  # warm
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get("/marketing/media", params)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200
        print(f"  {label:14} {len(queries):3d} queries  {elapsed:7.1f} ms")
        if os.environ.get("BENCH_SHOW_QUERIES"):
            for query in queries.captured_queries:
                print("      ", query["time"], query["sql"][:160])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
