"""Which queue each task goes to, by its registered name: the one routing table.

Work of different kinds needs workers of different kinds (``Procfile.production``):
publishing waits on Meta and the website, so a thread pool keeps many requests in
flight; processing burns CPU (ffmpeg, Pillow, Reels) on prefork; the dispatcher and
the sweeps must never wait behind either; a dealer's "post now" has a queue of its
own, served even while scheduled publishing is busy. Celery's router asks
``route_task`` (``CELERY_TASK_ROUTES``); a sender that knows better, such as a "post
now", names the kind of queue through ``dealer_media.broker``. A test walks the
registered tasks and fails on one missing from ``ROUTES``.

``CELERY_QUEUE_PREFIX`` (empty in production, where ``Procfile.production`` names the
queues) lets tests and benches that share one Redis keep to their own queues.
"""

from celery import current_app

PUBLISHING_NOW = "publishing_now"  # a dealer waits: post now, retry, approved and due
PUBLISHING = "publishing"  # scheduled deliveries and their retries; Meta's I/O
PROCESSING = "processing"  # CPU: files, renditions, Reels, catalog copies, banners
SWEEPS = "sweeps"  # the dispatcher and the periodic sweeps and housekeeping
DEFAULT = "default"  # the app's default queue (CELERY_TASK_DEFAULT_QUEUE): email, imports

# The named queues in the order a worker of every kind lists them ("post now" first).
NAMED = (PUBLISHING_NOW, PUBLISHING, PROCESSING, SWEEPS)
KINDS = (*NAMED, DEFAULT)

ROUTES: dict[str, str] = {
    # Publishing: each run holds a claim and waits on Meta or the website.
    "media_content.tasks.publish_scheduled_post": PUBLISHING,
    "social.tasks.poll_pending_posts": PUBLISHING,
    # Processing: CPU-bound, on prefork, so a Reel render never delays a post.
    "media_content.tasks.process_media": PROCESSING,
    "media_content.tasks.make_rendition": PROCESSING,
    "media_content.tasks.regenerate_video_thumbnail": PROCESSING,
    "inventory.tasks.make_vehicle_reel": PROCESSING,
    "inventory.tasks.make_catalog_copies": PROCESSING,
    "banners.tasks.make_banner_display": PROCESSING,
    # Sweeps: short, periodic, and what keeps the others moving.
    "media_content.tasks.dispatch_due_posts": SWEEPS,
    "media_content.tasks.mark_stale_publishing_unconfirmed": SWEEPS,
    "media_content.tasks.requeue_stale_processing": SWEEPS,
    "media_content.tasks.archive_old_posted_media": SWEEPS,
    "media_content.uploads.tasks.delete_expired_uploads": SWEEPS,
    "inventory.tasks.delete_expired_kept_uploads": SWEEPS,
    "banners.tasks.flush_banner_counts": SWEEPS,
    # The rest: feeds and photo downloads, rules, email, the connections' daily checks.
    "inventory.tasks.import_inventory_source": DEFAULT,
    "inventory.tasks.fetch_vehicle_photos": DEFAULT,
    "inventory.tasks.apply_inventory_rule": DEFAULT,
    "inventory.tasks.sell_vehicle": DEFAULT,
    "social.tasks.check_connections": DEFAULT,
    # Links read after the fact: Meta's I/O that no dealer waits for, kept off the peak's pool.
    "social.tasks.fill_permalinks": DEFAULT,
    "social.tasks.refresh_instagram_tokens": DEFAULT,
    "social.tasks.email_reconnect_needed": DEFAULT,
}


def queue_names(*, prefix: str = "", default: str = "celery") -> dict[str, str]:
    """Each kind's queue name: the named ones behind ``prefix``, the default as configured."""
    return {**{kind: f"{prefix}{kind}" for kind in NAMED}, DEFAULT: default}


def queue_name(kind: str) -> str:
    """The queue of ``kind`` for this process's configuration; an unknown kind raises."""
    conf = current_app.conf
    names = queue_names(prefix=conf.get("queue_prefix") or "", default=conf.task_default_queue)
    try:
        return names[kind]
    except KeyError:
        raise ValueError(f"No queue of kind {kind!r}; the kinds are {', '.join(KINDS)}.") from None


def route_task(name: str, args, kwargs, options, task=None, **kw) -> dict | None:
    """Celery's router: the queue of a task by its name (a queue the sender named wins).

    Celery's own tasks (``celery.*``) have no route and go to the default queue.
    """
    kind = ROUTES.get(name)
    return {"queue": queue_name(kind)} if kind else None
