"""Real Celery on a real Redis: a worker killed mid-processing, a broker stopped and started.

Nobody acts after the failure: beat (DatabaseScheduler) runs the processing
sweep and a worker finishes the item. The lease and sweep are seconds here
(the defaults are 60 s and 30 s); the 2-minute target itself is measured by
bench/processing_recovery.py, not timed here.
"""

import os
import signal

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from dealer_media.celery import app
from dealer_media.periodic import setup_periodic_tasks
from library.processing.services import request_processing
from media_content.models import MediaContent

from ..factories import MediaContentFactory
from ..media import jpeg_bytes
from ..processes import celery_worker, pool_processes, sending_to, wait_for
from ..scheduling.conftest import use_broker
from ..scheduling.processes import celery_beat, private_redis, unique_queue

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

Status = MediaContent.ProcessingStatus
SWEEP = "Process files whose processing was lost"
# Seconds instead of a minute: the same code paths, a test that takes seconds.
SHORT = {
    "PROCESSING_LEASE_SECONDS": "3",
    "PROCESSING_SEND_GRACE_SECONDS": "2",
    "PROCESSING_SWEEP_SECONDS": "1",
}


@pytest.fixture
def short_lease(settings):
    for name, value in SHORT.items():
        setattr(settings, name, int(value))


@pytest.fixture
def queue():
    """A queue of our own, for the workers and this process alike."""
    name = unique_queue()
    old_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with sending_to(name):
        yield name
    app.conf.task_always_eager = old_eager


@pytest.fixture
def sweep_every_second():
    """Beat's schedule as stored, with only the processing sweep on, every second."""
    setup_periodic_tasks()
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.filter(name=SWEEP).update(interval=every_second, expire_seconds=None)
    PeriodicTask.objects.exclude(name=SWEEP).update(enabled=False)
    PeriodicTasks.update_changed()


def _new_photo(organization) -> MediaContent:
    return MediaContentFactory(
        organization=organization,
        file=ContentFile(jpeg_bytes(1600, 1200), name="lot.jpg"),
        width=None,
        height=None,
    )


def _ready(media: MediaContent) -> bool:
    return media.lead_file.__class__.objects.filter(
        post_files__post=media, processing_status=Status.READY
    ).exists()


def test_an_item_whose_worker_was_killed_is_processed_with_no_one_acting(
    sunrise, tmp_path, queue, short_lease, sweep_every_second
):
    hold = tmp_path / "holding"
    media = _new_photo(sunrise)
    with private_redis() as broker:
        env = {**SHORT, "CELERY_BROKER_URL": broker.url}
        restore = use_broker(broker.url)
        try:
            first = celery_worker(
                queue, app="tests.processing.slow_worker", PROCESSING_TEST_HOLD=str(hold), **env
            )
            with first as doomed:
                with transaction.atomic():
                    request_processing(media=media.lead_file)
                wait_for(hold.exists, timeout=30)  # inside the image's processing
                media.refresh_from_db()
                assert media.lead_file.processing_status == Status.PROCESSING
                assert media.lead_file.processing_claimed_at is not None
                doomed.process.kill()  # SIGKILL: no ack, no cleanup, the message stays unacked
                doomed.process.wait()

            # Redis keeps that message invisible for an hour; the lease runs out in seconds.
            with celery_worker(queue, **env) as worker, celery_beat(queue, **env) as beat:
                wait_for(lambda: _ready(media), timeout=60)
        finally:
            restore()

    assert "Sending due task " + SWEEP in beat.log, beat.log
    assert "Task media_content.tasks.requeue_stale_processing[" in worker.log  # run by a worker
    media.refresh_from_db()
    file = media.lead_file
    assert (file.width, file.height) == (1600, 1200)
    assert file.processing_attempts == 2  # the killed run and the one that finished
    assert file.processing_claimed_at is None and file.processing_lease_until is None
    assert file.thumbnail and file.thumbnail.storage.exists(file.thumbnail.name)


def test_a_pool_process_killed_mid_processing_is_replaced_and_the_item_finished(
    sunrise, tmp_path, queue, short_lease, sweep_every_second
):
    """Prefork, as in production: the child dies and its message comes back
    (reject_on_worker_lost). While the dead child's lease runs, that message does nothing
    and the sweep finishes the item; once the lease is over, the message finishes it."""
    hold = tmp_path / "holding"
    media = _new_photo(sunrise)
    with private_redis() as broker:
        env = {
            **SHORT,
            "CELERY_BROKER_URL": broker.url,
            "PROCESSING_TEST_HOLD": str(hold),
            "PYTHONUNBUFFERED": "1",
        }
        restore = use_broker(broker.url)
        try:
            with (
                celery_worker(
                    queue, app="tests.processing.slow_worker", pool="prefork", **env
                ) as worker,
                celery_beat(queue, **env),
            ):
                with transaction.atomic():
                    request_processing(media=media.lead_file)
                try:
                    wait_for(hold.exists, timeout=30)
                except AssertionError:
                    raise AssertionError(worker.log) from None
                child = int(hold.read_text())
                assert child in pool_processes(worker.process.pid)
                os.kill(child, signal.SIGKILL)
                wait_for(lambda: _ready(media), timeout=60)
                log = worker.log
        finally:
            restore()
    assert "WorkerLostError" in log or "exited with 'signal 9" in log, log
    received = [
        line
        for line in log.splitlines()
        if "media_content.tasks.process_media[" in line and line.endswith("] received")
    ]
    # The first and the one given back at the kill; the sweep's as well when the dead child's
    # lease was still running then (under load the lease may have run out first, and the one
    # given back finishes the item itself). Either way the item is processed twice, not more.
    assert len(received) >= 2, log
    media.refresh_from_db()
    file = media.lead_file
    assert (file.width, file.height, file.processing_attempts) == (1600, 1200, 2)


def test_an_item_uploaded_while_the_broker_was_down_is_processed_once_it_is_back(
    sunrise, queue, short_lease, sweep_every_second, caplog
):
    with private_redis() as broker:
        env = {**SHORT, "CELERY_BROKER_URL": broker.url}
        restore = use_broker(broker.url)
        try:
            with celery_worker(queue, **env) as worker, celery_beat(queue, **env):
                wait_for(
                    lambda: "Task media_content.tasks.requeue_stale_processing[" in worker.log,
                    timeout=30,
                )
                broker.stop()
                media = _new_photo(sunrise)
                with transaction.atomic():
                    request_processing(media=media.lead_file)  # the upload answers normally
                assert "Could not send the processing task" in caplog.text
                media.refresh_from_db()
                assert media.lead_file.processing_status == Status.PENDING

                broker.start()  # empty: whatever it held is gone
                wait_for(lambda: _ready(media), timeout=60)
        finally:
            restore()
    media.refresh_from_db()
    file = media.lead_file
    assert (file.width, file.height, file.processing_attempts) == (1600, 1200, 1)
