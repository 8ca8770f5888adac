"""Impressions and clicks of embedded banners: counted cheaply, flushed to the database.

With Redis (``BANNERS_COUNTER_REDIS_URL``) a count is one atomic Lua call: it marks
the (page view, banner, kind) as seen, for an hour, and only then adds one to a field
of one hash, so a visitor counts once a page view and a busy homepage writes nothing
to the database. The periodic task ``flush_banner_counts`` renames the hash (atomic:
counts made meanwhile go to a new hash, none is lost), adds its fields to
``BannerDailyCount`` in one transaction and deletes it. A flush that failed leaves
its renamed hash, which the next flush takes first (one flush runs at a time, under
a Redis lock).

Without Redis (the embedded defaults), each count is one upsert in the database
(``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``, race-free too) and the
page-view mark is a cache ``add``.
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
import uuid
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from .embed_keys import EmbedSite

logger = logging.getLogger(__name__)

IMPRESSION, CLICK = "i", "c"
PENDING = "dm:banners:counts"
FLUSHING = "dm:banners:counts:flushing:"
SEEN = "dm:banners:seen:"
SEEN_SECONDS = 3600
PAGE_VIEW = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Crawlers, previews, monitors and headless browsers name themselves; none is counted.
BOT = re.compile(
    r"bot|crawl|spider|slurp|scrap|headless|lighthouse|preview|fetch|monitor|check|"
    r"facebookexternalhit|embedly|curl|wget|python|java/|go-http|okhttp|axios|node-fetch|"
    r"httpclient|libwww|phantom|selenium|puppeteer|playwright",
    re.IGNORECASE,
)

# The tables of BannerDailyCount and Banner (tests check the names still match).
ADD_COUNTS_SQL = (
    "INSERT INTO banners_bannerdailycount (organization_id, banner_id, day, impressions, clicks) "
    "SELECT b.organization_id, b.id, %s, %s, %s FROM banners_banner b WHERE b.id = %s "
    "ON CONFLICT (banner_id, day) DO UPDATE SET "
    "impressions = banners_bannerdailycount.impressions + excluded.impressions, "
    "clicks = banners_bannerdailycount.clicks + excluded.clicks"
)

_COUNT_ONCE = """
if redis.call('set', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('hincrby', KEYS[2], ARGV[2], 1)
end
return 0
"""


def is_bot(user_agent: str) -> bool:
    """No user agent, or one that says it is a robot: not a person looking at a banner."""
    return not user_agent.strip() or bool(BOT.search(user_agent))


def valid_page_view(value: str) -> bool:
    return bool(PAGE_VIEW.fullmatch(value or ""))


@functools.cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def redis_client():
    url = settings.BANNERS_COUNTER_REDIS_URL
    return _redis(url) if url else None


def record(*, site: EmbedSite, banner_ids: Iterable[int], kind: str, page_view: str) -> int:
    """Count ``kind`` once per page view for each banner; how many were new."""
    day = timezone.localdate(timezone=site.tzinfo)
    client = redis_client()
    counted = 0
    if client is not None:
        script = client.register_script(_COUNT_ONCE)
        pipe = client.pipeline(transaction=False)
        for banner_id in banner_ids:
            field = f"{site.organization_id}:{banner_id}:{day.isoformat()}:{kind}"
            seen = f"{SEEN}{page_view}:{banner_id}:{kind}"
            script(keys=[seen, PENDING], args=[SEEN_SECONDS, field], client=pipe)
        counted = sum(1 for result in pipe.execute() if result)
        return counted
    fresh = Counter()
    for banner_id in banner_ids:
        if cache.add(f"banners:seen:{page_view}:{banner_id}:{kind}", 1, SEEN_SECONDS):
            fresh[(banner_id, day, kind)] += 1
    _add_to_database(fresh)
    return sum(fresh.values())


def _add_to_database(counts: Counter) -> None:
    """Add counts per (banner, day, kind); a banner deleted meanwhile inserts nothing."""
    if not counts:
        return
    sql = ADD_COUNTS_SQL
    rows: dict[tuple[int, datetime.date], list[int]] = {}
    for (banner_id, day, kind), number in counts.items():
        row = rows.setdefault((banner_id, day), [0, 0])
        row[0 if kind == IMPRESSION else 1] += number
    # Sorted, so concurrent flushes lock rows in one order (no deadlock).
    params = [
        (day, impressions, clicks, banner_id)
        for (banner_id, day), (impressions, clicks) in sorted(rows.items())
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _parse(fields: dict) -> Counter:
    counts = Counter()
    for field, value in fields.items():
        try:
            _org, banner_id, day, kind = field.decode().split(":")
            key = (int(banner_id), datetime.date.fromisoformat(day), kind)
        except ValueError:
            logger.warning("Unreadable banner count field %r dropped", field)
            continue
        if kind in (IMPRESSION, CLICK):
            counts[key] += int(value)
    return counts


def flush_counts() -> int:
    """Move the counts waiting in Redis to the database; the number of counts moved."""
    client = redis_client()
    if client is None:
        return 0
    # One flush at a time: two would both take a leftover hash and add it twice.
    lock = client.lock(f"{PENDING}:lock", timeout=300, blocking=False)
    if not lock.acquire():
        return 0
    try:
        return _flush(client)
    finally:
        lock.release()


def _flush(client) -> int:
    moved = 0
    leftovers = list(client.scan_iter(match=f"{FLUSHING}*", count=100))
    batch = f"{FLUSHING}{uuid.uuid4().hex}"
    try:
        client.rename(PENDING, batch)
        leftovers.append(batch.encode())
    except Exception as error:  # no counts waiting: Redis says "no such key"
        if "no such key" not in str(error).lower():
            raise
    for key in leftovers:
        counts = _parse(client.hgetall(key))
        _add_to_database(counts)
        client.delete(key)
        moved += sum(counts.values())
    return moved
