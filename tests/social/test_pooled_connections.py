"""With the psycopg pool, a publishing thread gives its connection back while Meta answers.

A publish spends a few milliseconds on PostgreSQL and 0.3 to 3 seconds waiting on Meta:
the 32 threads of a publishing worker then share a pool of a few connections
(``DATABASE_POOL_MAX_SIZE``) instead of holding one each.
"""

import threading

import pytest
from django.db import connections, transaction

from dealer_media.db_connections import release_while_waiting
from media_content.models import ScheduledPost
from publishing import engine as publishing

from ..factories import ScheduledPostFactory
from .fake_graph import Reply

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pooled():
    """The default database through a pool of at most 2 connections, as the setting makes it."""
    pytest.importorskip("psycopg_pool", reason="psycopg[pool] (requirements/base.txt)")
    connection = connections["default"]
    connection.close()
    saved = connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["OPTIONS"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    connection.settings_dict["OPTIONS"] = {
        **saved[1],
        "pool": {"min_size": 1, "max_size": 2, "timeout": 5.0},
    }
    yield connection
    connection.close()
    connection.close_pool()
    connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["OPTIONS"] = saved


def test_the_connection_is_back_in_the_pool_while_meta_answers(pooled, fake_graph, account, photo):
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    answer = threading.Event()
    fake_graph.script("POST", "/111/photos", Reply(hold=answer, done=True))
    outcome = {}

    def publish():
        outcome["post"] = publishing.publish_post(post_id=post.pk)
        connections.close_all()

    worker = threading.Thread(target=publish)
    worker.start()
    try:
        assert fake_graph.received.wait(10)
        pooled.close()  # this thread's own connection too: only the worker's may be out
        stats = pooled.pool.get_stats()
        assert stats["pool_available"] == stats["pool_size"]  # the worker holds none
    finally:
        answer.set()
        worker.join(10)
    assert outcome["post"].status == ScheduledPost.Status.POSTED


def test_a_connection_in_a_transaction_is_kept(pooled):
    with transaction.atomic():
        ScheduledPost.objects.exists()
        release_while_waiting()
        assert pooled.connection is not None
    release_while_waiting()
    assert pooled.connection is None
