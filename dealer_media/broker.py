"""The one way to the broker: tasks are sent by name, and a broker that is down is only logged.

Services never import ``tasks.py`` (which sits on top of everything and calls
services); they send a task by its registered name through here. The database
stays the source of truth: every caller leaves its rows in a state that a
periodic sweep picks up when a message could not be sent (posts stay pending and
due, processing has no deadline), so the person who saved never sees a broker
error.

Each task goes to the queue its name is routed to (``dealer_media.queues``); a
caller that knows more (a dealer's "post now" waits, a scheduled delivery does not)
names the kind of queue with ``queue=``: same task, same claim, another line.
"""

import datetime
import logging
from collections.abc import Iterable

from celery import current_app
from django.db import transaction

from . import queues

logger = logging.getLogger(__name__)

PUBLISH_POST = "media_content.tasks.publish_scheduled_post"
DISPATCH_DUE_POSTS = "media_content.tasks.dispatch_due_posts"
# The file library's tasks (library/tasks.py) keep the names they had in media_content.
PROCESS_MEDIA = "media_content.tasks.process_media"
REGENERATE_VIDEO_THUMBNAIL = "media_content.tasks.regenerate_video_thumbnail"
MAKE_RENDITION = "media_content.tasks.make_rendition"
MAKE_BANNER_DISPLAY = "banners.tasks.make_banner_display"
IMPORT_INVENTORY_SOURCE = "inventory.tasks.import_inventory_source"
FETCH_VEHICLE_PHOTOS = "inventory.tasks.fetch_vehicle_photos"
APPLY_INVENTORY_RULE = "inventory.tasks.apply_inventory_rule"
SELL_VEHICLE = "inventory.tasks.sell_vehicle"
MAKE_VEHICLE_REEL = "inventory.tasks.make_vehicle_reel"
MAKE_CATALOG_COPIES = "inventory.tasks.make_catalog_copies"

# A broker that is down raises kombu's OperationalError, the socket's OSError, or its
# client library's own connection error (redis-py, amqp): any of them is logged, never
# shown to the person who saved. The task is looked up before, so a wrong name raises.
BROKER_ERRORS = (Exception,)


def _task(name: str):
    """The registered task: honours CELERY_TASK_ALWAYS_EAGER (tests), unlike app.send_task.

    A web process imports no tasks module by itself; the first lookup runs Celery's
    autodiscovery (the apps' ``tasks.py``), as a worker does when it starts.
    """
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def _destination(queue: str | None) -> dict[str, str]:
    """apply_async's options for a kind of queue (``queues.PUBLISHING_NOW``); none: the route."""
    return {} if queue is None else {"queue": queues.queue_name(queue)}


def send(
    name: str,
    *args,
    countdown: float = 0,
    eta: datetime.datetime | None = None,
    expires: datetime.datetime | None = None,
    queue: str | None = None,
) -> bool:
    """Send one task; False (and a log line) when the broker cannot take it.

    It runs ``countdown`` seconds from now, or at ``eta`` (an exact instant, as the
    dispatcher's wake-up needs); a worker that receives it after ``expires`` drops it.
    ``queue`` is a kind of ``dealer_media.queues``; by default the task's route decides.
    """
    task = _task(name)
    destination = _destination(queue)
    when = {"eta": eta} if eta is not None else {"countdown": max(0.0, countdown) or None}
    try:
        task.apply_async(args, expires=expires, **when, **destination)
    except BROKER_ERRORS:
        logger.exception("Could not send %s%r (is the broker down?).", name, args)
        return False
    return True


def send_on_commit(
    name: str,
    *args,
    countdown: float = 0,
    eta: datetime.datetime | None = None,
    expires: datetime.datetime | None = None,
    queue: str | None = None,
) -> None:
    """Send once the current transaction commits: a rolled-back change sends nothing."""
    transaction.on_commit(
        lambda: send(name, *args, countdown=countdown, eta=eta, expires=expires, queue=queue)
    )


def send_each(name: str, arguments: Iterable[tuple], *, queue: str | None = None) -> int:
    """One task per argument tuple over one broker connection; answers how many were sent.

    Stops at the first broker error (the rest are left to the caller's sweep).
    ``queue`` as for ``send``.
    """
    task = _task(name)
    destination = _destination(queue)
    sent = 0
    try:
        if task.app.conf.task_always_eager:
            for args in arguments:
                task.apply_async(args, **destination)
                sent += 1
        else:
            with task.app.producer_or_acquire() as producer:
                for args in arguments:
                    task.apply_async(args, producer=producer, **destination)
                    sent += 1
    except BROKER_ERRORS:
        logger.exception("Could not send %s task(s) (is the broker down?).", name)
    return sent
