"""A prefork pool process killed while publishing: its message comes back, nothing posts twice."""

import os
import signal

import pytest
from django.utils import timezone

from dealer_media.celery import app
from publishing import dispatch

from ..factories import ScheduledPostFactory
from ..processes import celery_worker, pool_processes, sending_to, wait_for
from .processes import Record, unique_queue

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue():
    name = unique_queue()
    old_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with sending_to(name):
        yield name
    app.conf.task_always_eager = old_eager


def _received(log: str) -> int:
    return sum(
        "media_content.tasks.publish_scheduled_post[" in line and line.endswith("] received")
        for line in log.splitlines()
    )


def test_the_message_of_a_killed_pool_process_comes_back_and_publishes_nothing_twice(
    sunrise, tmp_path, queue
):
    record = Record(tmp_path / "published.txt")
    slow = ScheduledPostFactory(
        media_content__organization=sunrise, title="slow post", scheduled_time=timezone.now()
    )
    env = {**record.env, "PYTHONUNBUFFERED": "1"}
    with celery_worker(queue, pool="prefork", **env) as worker:
        assert dispatch.dispatch_due_posts().sent == 1
        wait_for(lambda: record.count("start")[slow.pk], timeout=30)  # inside publish()
        [child] = pool_processes(worker.process.pid)
        os.kill(child, signal.SIGKILL)
        # reject_on_worker_lost: the message goes back to the queue instead of being dropped…
        wait_for(lambda: _received(worker.log) >= 2, timeout=30)
        # …and the new pool process finds the post claimed ("publishing"): it does nothing.
        wait_for(lambda: worker.log.count("succeeded in") >= 1, timeout=30)
        log = worker.log
    assert "WorkerLostError" in log or "signal 9" in log, log
    assert record.count("start")[slow.pk] == 1  # sent once, never again behind a person's back
    slow.refresh_from_db()
    assert (slow.status, slow.attempts) == ("publishing", 1)  # for the stale-publishing sweep
