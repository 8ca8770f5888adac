"""Racing processing claims and sweeps on PostgreSQL: one worker per item, one message per sweep."""

import threading
from collections import Counter

import pytest
from django.db import connection

from library.models import MediaFile
from library.processing import lease

from ..factories import MediaContentFactory
from ..scheduling.conftest import use_broker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(threads: int, work) -> list:
    barrier = threading.Barrier(threads)
    results, lock = [], threading.Lock()

    def run():
        barrier.wait()
        try:
            result = work()
            with lock:
                results.append(result)
        finally:
            connection.close()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return results


def test_eight_workers_racing_for_one_item_give_it_to_one(sunrise):
    media = MediaContentFactory(organization=sunrise, processing_status="pending")
    claims = _race(8, lambda: lease.claim(media_id=media.lead_file.pk))
    assert sum(claim is not None for claim in claims) == 1
    media.refresh_from_db()
    assert (media.lead_file.processing_status, media.lead_file.processing_attempts) == (
        "processing",
        1,
    )


def test_two_beats_sweeping_at_once_send_each_overdue_item_once(sunrise, monkeypatch):
    items = [
        MediaContentFactory(organization=sunrise, processing_status=status)
        for status in ["pending", "processing"] * 25  # no deadline: overdue
    ]
    sent, lock = [], threading.Lock()
    real_send = lease.send_processing_task

    def recording_send(media_id: int) -> bool:
        with lock:
            sent.append(media_id)
        return real_send(media_id)

    monkeypatch.setattr(lease, "send_processing_task", recording_send)
    restore = use_broker("memory://", eager=False)  # accepted, not processed
    try:
        counts = _race(2, lease.resend_overdue)
    finally:
        restore()
    assert sum(counts) == len(items)
    assert Counter(sent) == Counter(item.lead_file.pk for item in items)  # each once
    assert set(MediaFile.objects.values_list("processing_status", flat=True)) == {"pending"}
