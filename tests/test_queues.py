"""Queues by kind of work: every task routed on purpose, and the Procfiles consume them all.

``task_always_eager`` ignores queues, so routing is read from the app's own router,
the one a worker's or a web process's ``apply_async`` asks.
"""

import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings

from dealer_media import broker, queues
from dealer_media.celery import app

EXPECTED = {
    "media_content.tasks.publish_scheduled_post": "publishing",
    "social.tasks.poll_pending_posts": "publishing",
    "media_content.tasks.process_media": "processing",
    "media_content.tasks.make_rendition": "processing",
    "media_content.tasks.regenerate_video_thumbnail": "processing",
    "inventory.tasks.make_vehicle_reel": "processing",
    "inventory.tasks.make_catalog_copies": "processing",
    "banners.tasks.make_banner_display": "processing",
    "media_content.tasks.dispatch_due_posts": "sweeps",
    "media_content.tasks.mark_stale_publishing_unconfirmed": "sweeps",
    "media_content.tasks.requeue_stale_processing": "sweeps",
    "media_content.tasks.archive_old_posted_media": "sweeps",
    "media_content.uploads.tasks.delete_expired_uploads": "sweeps",
    "inventory.tasks.delete_expired_kept_uploads": "sweeps",
    "banners.tasks.flush_banner_counts": "sweeps",
    "inventory.tasks.import_inventory_source": "celery",
    "inventory.tasks.fetch_vehicle_photos": "celery",
    "inventory.tasks.apply_inventory_rule": "celery",
    "inventory.tasks.sell_vehicle": "celery",
    "social.tasks.check_connections": "celery",
    "social.tasks.fill_permalinks": "celery",
    "social.tasks.refresh_instagram_tokens": "celery",
    "social.tasks.email_reconnect_needed": "celery",
}


def registered() -> list[str]:
    """The product's tasks, as a worker loads them.

    Not Celery's own (``celery.*``, unused here: they go to the default queue), nor
    those a test module defines for itself (``tests.*``).
    """
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith(("celery.", "tests.")))


def routed_queue(name: str, **options) -> str:
    return app.amqp.router.route(options, name, (), {}, app.tasks.get(name))["queue"].name


def test_every_registered_task_has_a_route_and_every_route_a_task():
    names = registered()
    assert [name for name in names if name not in queues.ROUTES] == [], "add it to queues.ROUTES"
    assert sorted(set(queues.ROUTES) - set(names)) == [], "a route names no task"
    assert set(queues.ROUTES.values()) <= set(queues.KINDS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_task_lands_on_its_queue(name):
    assert routed_queue(name) == EXPECTED[name]


def test_the_table_above_covers_every_task():
    assert sorted(EXPECTED) == registered()


def test_a_queue_the_sender_names_wins_over_the_route():
    assert routed_queue(broker.PUBLISH_POST, queue="publishing_now") == "publishing_now"


def test_an_unknown_kind_of_queue_is_refused():
    with pytest.raises(ValueError, match="No queue of kind 'publishing_later'"):
        broker.send(broker.PUBLISH_POST, 1, queue="publishing_later")


def test_a_prefix_keeps_a_test_run_to_its_own_queues():
    conf = app.conf
    before = conf.task_default_queue, conf.get("queue_prefix")
    conf.task_default_queue, conf.queue_prefix = "run-7", "run-7."
    try:
        assert routed_queue(broker.PUBLISH_POST) == "run-7.publishing"
        assert routed_queue("media_content.tasks.dispatch_due_posts") == "run-7.sweeps"
        assert routed_queue("inventory.tasks.import_inventory_source") == "run-7"
        assert routed_queue("celery.chord_unlock") == "run-7"
        assert queues.queue_name(queues.PUBLISHING_NOW) == "run-7.publishing_now"
    finally:
        conf.task_default_queue, conf.queue_prefix = before


# --- The Procfiles ------------------------------------------------------------------


def procfile(name: str) -> dict[str, str]:
    lines = (Path(settings.BASE_DIR) / name).read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def consumed(command: str) -> list[str]:
    words = shlex.split(command)
    return words[words.index("-Q") + 1].split(",")


def option(command: str, name: str) -> str:
    words = shlex.split(command)
    return words[words.index(name) + 1]


EVERY_QUEUE = list(queues.queue_names().values())


def test_the_development_worker_consumes_every_queue():
    assert consumed(procfile("Procfile")["worker"]) == EVERY_QUEUE


def test_production_has_a_worker_for_each_kind_with_its_pool():
    workers = {
        name: command
        for name, command in procfile("Procfile.production").items()
        if name.startswith("worker")
    }
    assert {name: consumed(command) for name, command in workers.items()} == {
        "worker_publishing": ["publishing_now", "publishing"],
        "worker_now": ["publishing_now"],  # post now is served while publishing is full
        "worker_processing": ["processing"],
        "worker_sweeps": ["sweeps"],
        "worker_default": ["celery"],
    }
    pools = {name: option(command, "--pool") for name, command in workers.items()}
    assert pools == {
        "worker_publishing": "threads",
        "worker_now": "threads",
        "worker_processing": "prefork",
        "worker_sweeps": "prefork",
        "worker_default": "prefork",
    }
    node_names = [option(command, "-n") for command in workers.values()]
    assert len(set(node_names)) == len(node_names)  # several workers on one host
    concurrency = option(workers["worker_publishing"], "--concurrency")
    assert re.fullmatch(r"\$\{PUBLISHING_CONCURRENCY:-\d+\}", concurrency)
