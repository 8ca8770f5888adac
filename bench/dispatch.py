"""Benchmark of the dispatcher: 10,000 due posts, two dispatchers racing, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dm_scheduling \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 \\
    python bench/dispatch.py [--posts 10000] [--dealerships 300] [--batch-size 500] \\
        [--dispatchers 2]

The posts belong to ``--dealerships`` dealerships (one after the other: post i is
dealership i mod N's), all due at the same instant, as at a peak. Runs two
measurements, each on freshly created due posts:

- **claim only**: each dispatcher process calls ``dispatch.claim_due_posts`` (the
  ``SELECT … FOR UPDATE SKIP LOCKED`` of a batch picked in turns between the
  dealerships, and the conditional UPDATE) until it claims nothing; no messages
  are sent.
- **claim + send**: each calls ``dispatch.dispatch_due_posts``, which also sends
  one real Celery message per post to Redis (a throwaway queue, no worker: the
  messages are counted, then deleted).

Prints posts per second (all posts over the wall time from the common start to
the last dispatcher's end), SQL queries per batch (counted with an execute
wrapper), duplicates (posts claimed by both dispatchers; must be 0), the messages
found in the queue in the second run, and how far into the sending order the last
dealership's first post came (fairness: at most the number of dealerships).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealer_media.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SCHEDULING_QUEUED_LEASE_SECONDS", "3600")

SLUG = "bench-dispatch-"
# Each sweep, besides its batches: the lease release, its last batch (an empty SELECT)
# and the wake-up's look-ahead (beat's interval, the next posting time).
QUERIES_PER_SWEEP = 4


def setup_django() -> None:
    import django

    django.setup()


def run_dispatcher(mode: str, batch_size: int, start_at: float) -> None:
    """One racing dispatcher (a child process): prints a JSON line with what it claimed."""
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from publishing import dispatch

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    connection.ensure_connection()
    claimed: list[int] = []
    batches = sweeps = 0
    while time.time() < start_at:
        time.sleep(0.001)
    started = time.time()
    with connection.execute_wrapper(count):
        if mode == "claim":
            now = timezone.now()
            while ids := dispatch.claim_due_posts(now=now, limit=batch_size):
                claimed.extend(ids)
                batches += 1
        else:
            while True:
                report = dispatch.dispatch_due_posts(batch_size=batch_size, max_batches=1000)
                sweeps += 1
                batches += report.batches
                if report.broker_down:
                    raise SystemExit("The broker is down.")
                if not report.claimed:
                    break
                claimed.append(report.claimed)
    ended = time.time()
    print(
        json.dumps(
            {
                "started": started,
                "ended": ended,
                "claimed": claimed,
                "batches": batches,
                "sweeps": sweeps,
                "queries": queries,
            }
        )
    )


def create_posts(count: int, dealerships: int) -> list[int]:
    from django.utils import timezone

    from dealer_media.tenancy.models import Organization
    from media_content.models import ScheduledPost

    orgs = [
        Organization.objects.get_or_create(
            slug=f"{SLUG}{n}", defaults={"name": f"Bench dispatch {n}", "timezone": "UTC"}
        )[0]
        for n in range(dealerships)
    ]
    ScheduledPost.objects.filter(organization__slug__startswith=SLUG).delete()
    due = timezone.now() - timezone.timedelta(minutes=1)
    ScheduledPost.objects.bulk_create(
        (
            ScheduledPost(
                organization=orgs[i % dealerships],
                title=f"Bench post {i}",
                destination="facebook",
                scheduled_time=due,
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    return [org.pk for org in orgs]


def race(mode: str, args, queue: str) -> dict:
    from media_content.models import ScheduledPost

    org_ids = create_posts(args.posts, args.dealerships)
    ours = ScheduledPost.objects.filter(organization_id__in=org_ids)
    # Anything else due in this database would be dispatched too: count only ours.
    others = ScheduledPost.objects.filter(status="pending").exclude(organization_id__in=org_ids)
    others = others.count()
    if others:
        raise SystemExit(f"{others} other pending post(s) in this database; use an empty one.")
    start_at = time.time() + 3.0  # time for the children to import Django and connect
    env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue, "CELERY_QUEUE_PREFIX": f"{queue}."}
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                mode,
                "--batch-size",
                str(args.batch_size),
                "--start-at",
                str(start_at),
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(args.dispatchers)
    ]
    results = []
    for child in children:
        out, _ = child.communicate(timeout=600)
        if child.returncode:
            raise SystemExit(f"A dispatcher failed ({child.returncode}).")
        results.append(json.loads(out.strip().splitlines()[-1]))

    wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
    batches = sum(r["batches"] for r in results)
    queued_ids = list(ours.filter(status="queued").values_list("pk", flat=True))
    summary = {
        "mode": mode,
        "posts": args.posts,
        "dealerships": args.dealerships,
        "seconds": round(wall, 3),
        "posts_per_second": round(args.posts / wall),
        "batches": batches,
        "per_dispatcher": [
            len(r["claimed"]) if mode == "claim" else sum(r["claimed"]) for r in results
        ],
        "queued_in_db": len(queued_ids),
    }
    if mode == "claim":
        everything = [post_id for r in results for post_id in r["claimed"]]
        summary["duplicates"] = len(everything) - len(set(everything))
        # Each dispatcher ends on a batch that claims nothing: one more SELECT.
        summary["queries_per_batch"] = round(sum(r["queries"] for r in results) / batches, 2)
        first_claims = [r["claimed"] for r in results]
        summary["last_first_post_at"] = last_first_post(ours, first_claims)
    else:
        sweeps = sum(r["sweeps"] for r in results)
        summary["queries_per_batch"] = round(
            (sum(r["queries"] for r in results) - QUERIES_PER_SWEEP * sweeps) / batches, 2
        )
    ours.delete()
    return summary


def last_first_post(posts, claims: list[list[int]]) -> int:
    """How far into a dispatcher's claiming order the last dealership got its first post."""
    dealership = dict(posts.values_list("pk", "organization_id"))
    first: dict[int, int] = {}  # dealership: its earliest position in any dispatcher's order
    for claimed in claims:
        for position, post_id in enumerate(claimed, start=1):
            org = dealership[post_id]
            first[org] = min(first.get(org, position), position)
    return max(first.values(), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--dealerships", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--child", choices=["claim", "send"])
    parser.add_argument("--start-at", type=float)
    args = parser.parse_args()
    if args.child:
        run_dispatcher(args.child, args.batch_size, args.start_at)
        return

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL=postgres://… (the benchmark is for PostgreSQL).")
    setup_django()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    queue = f"bench-dispatch-{uuid.uuid4().hex[:8]}"
    claim = race("claim", args, queue)
    print(json.dumps(claim))

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        print("Set CELERY_BROKER_URL=redis://… to measure claim + send.")
        return
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        send = race("send", args, queue)
        send["messages_in_queue"] = broker.llen(f"{queue}.publishing")
    finally:
        broker.delete(queue, f"{queue}.publishing")
    print(json.dumps(send))

    print()
    print(
        f"{args.posts} due posts of {args.dealerships} dealerships, {args.dispatchers} "
        f"dispatchers racing, batches of {args.batch_size}:"
    )
    print(
        f"  claim only:   {claim['posts_per_second']:>6} posts/s, "
        f"{claim['queries_per_batch']} queries per batch, {claim['duplicates']} duplicates, "
        f"every dealership's first post among a dispatcher's first {claim['last_first_post_at']}"
    )
    print(
        f"  claim + send: {send['posts_per_second']:>6} posts/s, "
        f"{send['queries_per_batch']} queries per batch, "
        f"{send['messages_in_queue']} messages for {args.posts} posts"
    )


if __name__ == "__main__":
    main()
