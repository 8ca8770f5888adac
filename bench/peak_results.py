"""What ``bench/peak.py`` reads of the bench database: the posts' states, times and errors."""

from __future__ import annotations

import time

import psycopg

# Every post of the peak is titled "Peak <dealership>-<number>" (bench/peak_setup.py).


def statuses(db: psycopg.Connection) -> dict[str, int]:
    rows = db.execute(
        "SELECT status, count(*) FROM media_content_scheduledpost WHERE title LIKE 'Peak %%' "
        "GROUP BY status"
    ).fetchall()
    return dict(rows)


def peak_posts(db: psycopg.Connection) -> list[tuple]:
    """id, status, scheduled_time, posted_at (epoch seconds), last_error, attempts, sent_text,
    media_content_id of every delivery of the peak."""
    return db.execute(
        "SELECT id, status, extract(epoch FROM scheduled_time), extract(epoch FROM posted_at), "
        "last_error, attempts, sent_text, media_content_id FROM media_content_scheduledpost "
        "WHERE title LIKE 'Peak %%'"
    ).fetchall()


def posted_twice(db: psycopg.Connection) -> int:
    """Posts with more than one delivery posted to the same destination (must be 0)."""
    return db.execute(
        "SELECT count(*) FROM (SELECT media_content_id, destination FROM "
        "media_content_scheduledpost WHERE status = 'posted' "
        "GROUP BY 1, 2 HAVING count(*) > 1) AS twice"
    ).fetchone()[0]


def post_now_row(db: psycopg.Connection, media_id: int) -> tuple | None:
    return db.execute(
        "SELECT status, extract(epoch FROM scheduled_time), extract(epoch FROM posted_at), "
        "last_error FROM media_content_scheduledpost WHERE media_content_id = %s",
        (media_id,),
    ).fetchone()


def post_now_settled(db: psycopg.Connection, media_id: int) -> bool:
    row = post_now_row(db, media_id)
    return row is not None and row[0] not in ("pending", "queued", "publishing")


def wait_for_reel(db: psycopg.Connection, deadline: float) -> tuple | None:
    """The Reel's row once it is done or failed (or at ``deadline``)."""
    query = (
        "SELECT status, extract(epoch FROM created_at), extract(epoch FROM started_at), "
        "extract(epoch FROM finished_at), error FROM inventory_vehiclereel"
    )
    row = db.execute(query).fetchone()
    while row is not None and row[0] == "building" and time.time() < deadline:
        time.sleep(1)
        row = db.execute(query).fetchone()
    return row
