"""Real Celery: beat (DatabaseScheduler), workers and brokers started, killed and stopped.

The database is the source of truth: whatever dies in between, a scheduled
post goes out, once. The RecordingPublisher in the worker processes writes
each call to a file, so "once" is counted from outside the database too.
"""

import datetime

import pytest
import redis
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from dealer_media.celery import app
from dealer_media.periodic import setup_periodic_tasks
from media_content import lifecycle
from media_content.models import ScheduledPost
from publishing import dispatch

from ..factories import MediaContentFactory, ScheduledPostFactory
from ..processes import celery_worker, sending_to, wait_for
from .conftest import use_broker
from .processes import Record, celery_beat, private_redis, unique_queue

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def record(tmp_path) -> Record:
    return Record(tmp_path / "published.txt")


@pytest.fixture
def dispatch_every_second():
    """What a person does in the admin: the dispatcher's interval set to one second."""
    setup_periodic_tasks()
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.filter(name="Dispatch due posts").update(
        interval=every_second, expire_seconds=None
    )
    PeriodicTask.objects.exclude(name="Dispatch due posts").update(enabled=False)
    PeriodicTasks.update_changed()


@pytest.fixture
def queue():
    """A queue of our own, for the worker and this process alike."""
    name = unique_queue()
    old_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with sending_to(name):
        yield name
    app.conf.task_always_eager = old_eager


def posted(*posts: ScheduledPost) -> bool:
    return ScheduledPost.objects.filter(
        pk__in=[p.pk for p in posts], status=ScheduledPost.Status.POSTED
    ).count() == len(posts)


def assert_published_once(record: Record, *posts: ScheduledPost) -> None:
    started, done = record.count("start"), record.count("done")
    assert {p.pk: started[p.pk] for p in posts} == {p.pk: 1 for p in posts}
    assert {p.pk: done[p.pk] for p in posts} == {p.pk: 1 for p in posts}
    for post in ScheduledPost.objects.filter(pk__in=[p.pk for p in posts]):
        assert post.status == ScheduledPost.Status.POSTED
        assert post.attempts == 1
        assert post.posted_at >= post.scheduled_time  # never early


def test_beat_and_a_worker_publish_a_post_five_seconds_ahead_once(
    sunrise, record, queue, dispatch_every_second
):
    # An admin typo: a periodic task no worker knows must not stop anything.
    PeriodicTask.objects.create(
        name="Typo",
        task="media_content.tasks.no_such_task",
        interval=IntervalSchedule.objects.get(every=1, period="seconds"),
    )
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    when = timezone.now() + datetime.timedelta(seconds=5)
    [post] = lifecycle.media_schedule(media=media, when=when)

    with celery_worker(queue, **record.env) as worker, celery_beat(queue, **record.env) as beat:
        wait_for(lambda: posted(post), timeout=40)
        wait_for(lambda: "dispatch_due_posts" in worker.log, timeout=5)
    assert_published_once(record, post)
    assert "Sending due task Dispatch due posts" in beat.log, beat.log
    assert "Received unregistered task" in worker.log  # logged and dropped, nothing else
    media.refresh_from_db()
    assert media.status == "posted"


def test_two_beats_at_once_publish_each_post_once(sunrise, record, queue, dispatch_every_second):
    media = MediaContentFactory(organization=sunrise)
    later = timezone.now() + datetime.timedelta(hours=1)
    posts = [
        ScheduledPostFactory(
            media_content=None if i else media,
            organization=sunrise,
            title=f"Post {i}",
            scheduled_time=later,
        )
        for i in range(30)
    ]
    sent = "Sending due task Dispatch due posts"
    with (
        celery_worker(queue, **record.env),
        celery_beat(queue, **record.env) as first,
        celery_beat(queue, **record.env) as second,
    ):
        # Both beats dispatch every second before the posts come due (a slow start of
        # one must not leave the other alone), then the posts fall due under both.
        wait_for(lambda: sent in first.log and sent in second.log, timeout=30)
        before = first.log.count(sent), second.log.count(sent)
        soon = timezone.now() + datetime.timedelta(seconds=2)
        ScheduledPost.objects.filter(pk__in=[p.pk for p in posts]).update(scheduled_time=soon)
        wait_for(lambda: posted(*posts), timeout=40)
        wait_for(
            lambda: first.log.count(sent) > before[0] and second.log.count(sent) > before[1],
            timeout=10,
        )
    assert_published_once(record, *posts)


def test_a_worker_killed_mid_way_and_a_lost_message(sunrise, record, queue):
    """SIGKILL while publishing one post; the other's message then lost with the broker's data."""
    now = timezone.now()
    slow = ScheduledPostFactory(
        media_content__organization=sunrise, title="slow post", scheduled_time=now
    )
    other = ScheduledPostFactory(
        media_content__organization=sunrise,
        title="other post",
        scheduled_time=now + datetime.timedelta(milliseconds=1),
    )
    lease = datetime.timedelta(seconds=1)
    with celery_worker(queue, **record.env) as first:
        assert dispatch.dispatch_due_posts(lease=lease).sent == 2
        wait_for(lambda: record.count("start")[slow.pk], timeout=30)
        first.process.kill()  # mid-way through publishing the slow post
        first.process.wait()
    # The worker had not taken the other post (one message at a time, acked late)…
    assert ScheduledPost.objects.get(pk=other.pk).status == "queued"
    # …and its message is lost too, as when a broker without persistence restarts.
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    assert broker.delete(*broker.scan_iter(match=f"{queue}*")) >= 1

    with celery_worker(queue, **record.env):
        wait_for(
            lambda: ScheduledPost.objects.filter(
                pk=other.pk, claimed_at__lt=timezone.now() - lease
            ),
            timeout=10,
        )
        report = dispatch.dispatch_due_posts(lease=lease)  # the next sweep, after the lease
        assert (report.released, report.sent) == (1, 1)
        wait_for(lambda: posted(other), timeout=30)

    assert_published_once(record, other)
    # The slow post was sent once and never again: its outcome is for the stale-publishing
    # sweep (and a person) to settle, not for a second try behind their back.
    assert record.count("start")[slow.pk] == 1
    slow.refresh_from_db()
    assert (slow.status, slow.attempts) == ("publishing", 1)


def test_the_broker_stopped_and_started(sunrise, record, queue, dispatch_every_second):
    """Posting now while the broker is down answers normally; the post goes out once it is back."""
    with private_redis() as broker:
        env = {**record.env, "CELERY_BROKER_URL": broker.url}
        with celery_worker(queue, **env) as worker, celery_beat(queue, **env):
            wait_for(lambda: "dispatch_due_posts" in worker.log, timeout=30)  # all connected
            broker.stop()
            restore = use_broker(broker.url)
            try:
                media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
                [post] = lifecycle.media_publish_now(media=media)  # no exception for the dealer
                assert dispatch.dispatch_due_posts().broker_down
            finally:
                restore()
            post.refresh_from_db()
            assert post.status == ScheduledPost.Status.PENDING
            broker.start()
            wait_for(lambda: posted(post), timeout=40)
    assert_published_once(record, post)
