"""A post is never sent twice: concurrent deliveries, a killed worker, the stale sweep."""

import datetime
import logging
import os
import signal
import subprocess
import sys
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from media_content.models import ScheduledPost
from publishing import engine as publishing
from publishing import unconfirmed

from ..factories import ScheduledPostFactory
from ..processes import queue_prefix, worker_queues
from .conftest import TOKEN
from .fake_graph import Reply, graph_error


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        return (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return f"sqlite:///{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_post(fake_graph, account, photo):
    hold = threading.Event()
    fake_graph.script("POST", "/111/photos", Reply(hold=hold, body={"id": "9", "post_id": "111_9"}))
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    results = {}

    def first():
        try:
            results["first"] = publishing.publish_post(post_id=post.pk)
        finally:
            connection.close()  # this thread's own connection

    worker = threading.Thread(target=first)
    worker.start()
    assert fake_graph.received.wait(20)
    # The first worker's request is in flight: a second delivery finds nothing to do.
    results["second"] = publishing.publish_post(post_id=post.pk)
    hold.set()
    worker.join(20)
    assert results["second"] is None
    assert results["first"].status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("POST", "/111/photos")) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_killed_after_sending_leaves_the_post_unconfirmed(
    fake_graph, account, photo, encryption_key
):
    hold = threading.Event()
    fake_graph.script("POST", "/111/photos", Reply(hold=hold, body={"id": "9", "post_id": "111_9"}))
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "FIELD_ENCRYPTION_KEY": encryption_key,
        "SOCIAL_PUBLISHER": "graph",
        "FACEBOOK_GRAPH_URL": fake_graph.url,
        "FACEBOOK_GRAPH_VIDEO_URL": fake_graph.url,
        "FACEBOOK_GRAPH_VERSION": "v24.0",
        "MEDIA_URL": django_settings.MEDIA_URL,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
    }
    code = (
        "import django; django.setup(); "
        "from publishing.engine import publish_post; "
        f"publish_post(post_id={post.pk})"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=str(django_settings.BASE_DIR),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert fake_graph.received.wait(60), worker.stderr.read1().decode()
        worker.send_signal(signal.SIGKILL)
        worker.wait(20)
    finally:
        hold.set()
        if worker.poll() is None:
            worker.kill()
        worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.PUBLISHING
    assert post.send_started_at is not None

    assert unconfirmed.mark_stale_publishing_unconfirmed(older_than=datetime.timedelta(0)) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert "may have been published" in post.last_error
    assert publishing.publish_post(post_id=post.pk) is None
    assert len(fake_graph.calls("POST", "/111/photos")) == 1


@pytest.mark.django_db
def test_sweep_releases_a_post_that_never_sent_anything(account, photo):
    claimed = timezone.now() - datetime.timedelta(hours=1)
    post = ScheduledPostFactory(
        media_content=photo, destination="facebook", status="publishing", claimed_at=claimed
    )
    fresh = ScheduledPostFactory(
        media_content=photo,
        destination="instagram",
        status="publishing",
        claimed_at=timezone.now(),
        send_started_at=timezone.now(),
    )
    marked = unconfirmed.mark_stale_publishing_unconfirmed(
        older_than=datetime.timedelta(minutes=15)
    )
    assert marked == 0
    post.refresh_from_db()
    fresh.refresh_from_db()
    assert post.status == ScheduledPost.Status.PENDING
    assert fresh.status == ScheduledPost.Status.PUBLISHING  # still within its time


class SweptWhilePublishing:
    """A publisher that is overtaken by the stale sweep before it sends."""

    label = "swept"

    def publish(self, post, claim):
        ScheduledPost.objects.filter(pk=post.pk).update(status="unconfirmed")
        claim.begin_send()  # must refuse: the claim is gone


@pytest.mark.django_db
def test_a_worker_that_lost_its_claim_writes_nothing(settings, account, photo):
    settings.PUBLISHERS = {**settings.PUBLISHERS, "facebook": f"{__name__}.SweptWhilePublishing"}
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    assert publishing.publish_post(post_id=post.pk) is None
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert post.send_started_at is None


@pytest.mark.django_db
def test_no_token_in_any_log_line_or_stored_error(
    fake_graph, account, photo, caplog, django_capture_on_commit_callbacks, settings
):
    caplog.set_level(logging.DEBUG)
    settings.SOCIAL_USAGE_PAUSE_SECONDS = 0  # the rate limit's retry comes at once
    fake_graph.script(
        "POST",
        "/111/photos",
        graph_error(4, f"limit reached for access_token={TOKEN}"),
        Reply(delay=2.0),
    )
    fake_graph.script(
        "POST", "/media", graph_error(190, f"Bad token {TOKEN}", user_msg=f"token {TOKEN}")
    )
    facebook = ScheduledPostFactory(media_content=photo, destination="facebook")
    instagram = ScheduledPostFactory(media_content=photo, destination="instagram")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_post(post_id=facebook.pk)  # rate limited, then no answer
    publishing.publish_post(post_id=instagram.pk)  # dead token
    facebook.refresh_from_db()
    instagram.refresh_from_db()
    account.refresh_from_db()
    assert facebook.status == ScheduledPost.Status.UNCONFIRMED
    assert instagram.status == ScheduledPost.Status.FAILED
    assert caplog.records
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in str(record.exc_text or "")
    for text in (facebook.last_error, instagram.last_error, account.last_error, repr(account)):
        assert TOKEN not in text
    assert "[token]" in instagram.last_error
    assert TOKEN not in account.token_encrypted
    assert account.get_token() == TOKEN


def _wait_for(predicate, seconds: float = 90) -> bool:
    """Wait for a worker in another process (a bounded wait, not a timing assertion)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.redis
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_real_celery_worker_ignores_a_duplicated_message(
    fake_graph, account, photo, encryption_key, sunrise
):
    from celery import current_app

    from ..factories import MediaContentFactory

    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    sentinel = ScheduledPostFactory(
        media_content=MediaContentFactory(organization=sunrise), destination="facebook"
    )
    queue = f"social-test-{os.getpid()}-{post.pk}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "FIELD_ENCRYPTION_KEY": encryption_key,
        "SOCIAL_PUBLISHER": "graph",
        "FACEBOOK_GRAPH_URL": fake_graph.url,
        "FACEBOOK_GRAPH_VIDEO_URL": fake_graph.url,
        "FACEBOOK_GRAPH_VERSION": "v24.0",
        "MEDIA_URL": django_settings.MEDIA_URL,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        # Whatever the worker sends in turn stays on this test's queues.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_QUEUE_PREFIX": queue_prefix(queue),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dealer_media",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            ",".join(worker_queues(queue)),
            "--without-heartbeat",
            "--without-gossip",
        ],
        env=env,
        cwd=str(django_settings.BASE_DIR),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        name = "media_content.tasks.publish_scheduled_post"
        for post_id in (post.pk, post.pk, post.pk, sentinel.pk):  # the broker repeats itself
            current_app.send_task(name, args=[post_id], queue=queue)
        done = _wait_for(
            lambda: ScheduledPost.objects.filter(pk=sentinel.pk, status="posted").exists()
        )
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(20)
    assert done, "the worker did not finish the posts"
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.attempts == 1
    assert len(fake_graph.calls("POST", "/111/photos")) == 2  # the post and the sentinel
