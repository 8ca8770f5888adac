"""The processing lease and its sweep: one worker at a time, nothing left waiting for long."""

import datetime
import itertools
import time

import pytest
from django.core.files.storage import default_storage

from library import tasks
from library.processing import lease, metadata
from library.processing import services as processing
from media_content.models import MediaContent

from ..scheduling.conftest import use_broker

pytestmark = pytest.mark.django_db

Status = MediaContent.ProcessingStatus
START = datetime.datetime(2024, 6, 3, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def lost_messages():
    """A broker that accepts every message and delivers none (no worker listens)."""
    restore = use_broker("memory://", eager=False)
    yield
    restore()


def test_a_second_delivery_while_a_worker_holds_the_item_does_nothing(make_media, photo):
    media = make_media(photo(), "photo.jpg")
    claim = lease.claim(media_id=media.lead_file.pk)  # the first worker is processing it
    assert claim is not None

    tasks.process_media.apply(args=[media.lead_file.pk]).get()  # the same message, delivered again

    media.refresh_from_db()
    file = media.lead_file
    assert (file.processing_status, file.processing_attempts) == (Status.PROCESSING, 1)
    assert file.processing_claimed_at == claim and not file.thumbnail


def test_a_ready_item_is_not_processed_again_by_a_late_duplicate(make_media, photo, process):
    media = process(make_media(photo(), "photo.jpg"))
    thumbnail = media.lead_file.thumbnail.name
    tasks.process_media.apply(args=[media.lead_file.pk]).get()
    media.refresh_from_db()
    file = media.lead_file
    assert (file.processing_status, file.processing_attempts) == (Status.READY, 1)
    assert file.thumbnail.name == thumbnail
    assert file.processing_claimed_at is None and file.processing_lease_until is None


def test_a_killed_workers_item_is_sent_again_once_its_lease_runs_out(
    clock, make_media, photo, settings
):
    media = make_media(photo(), "photo.jpg")
    lease.claim(media_id=media.lead_file.pk)  # a worker took it and was killed: nobody renews

    assert processing.requeue_stale_processing() == 0  # its lease still runs
    clock.shift(datetime.timedelta(seconds=settings.PROCESSING_LEASE_SECONDS + 1))
    assert processing.requeue_stale_processing() == 1  # the (eager) worker processes it

    media.refresh_from_db()
    file = media.lead_file
    assert (file.processing_status, file.processing_attempts) == (Status.READY, 2)
    assert file.processing_claimed_at is None and file.processing_lease_until is None
    assert processing.requeue_stale_processing() == 0


def test_a_message_no_worker_took_is_sent_again_with_longer_waits(
    clock, make_media, photo, lost_messages, settings, django_capture_on_commit_callbacks
):
    media = make_media(photo(), "photo.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        processing.request_processing(media=media.lead_file)  # accepted by the broker, then lost
    grace = datetime.timedelta(seconds=settings.PROCESSING_SEND_GRACE_SECONDS)
    assert processing.requeue_stale_processing() == 0  # a worker may still take it

    waits = []
    for _ in range(6):
        media.refresh_from_db()
        clock.move_to(media.lead_file.processing_lease_until + datetime.timedelta(seconds=1))
        assert processing.requeue_stale_processing() == 1
        assert processing.requeue_stale_processing() == 0  # a second beat sends nothing
        media.refresh_from_db()
        assert media.lead_file.processing_status == Status.PENDING
        waits.append(
            media.lead_file.processing_lease_until - datetime.datetime.now(tz=datetime.UTC)
        )
    assert waits[0] == pytest.approx(grace, abs=datetime.timedelta(seconds=2))
    assert all(later > earlier for earlier, later in itertools.pairwise(waits[:5]))
    assert waits[-1] == lease.MAX_RESEND_WAIT  # a long queue is not flooded


def test_a_worker_that_lost_its_lease_writes_nothing(
    clock, make_media, photo, monkeypatch, django_capture_on_commit_callbacks
):
    """Paused past its lease (say, a frozen VM), the worker finds another one owns the item."""
    media = make_media(photo(), "photo.jpg")
    original = metadata.image_metadata
    others = []

    def paused(path):
        clock.shift(datetime.timedelta(minutes=5))
        others.append(
            lease.claim(media_id=media.lead_file.pk)
        )  # the sweep's new message, another worker
        return original(path)

    monkeypatch.setattr(metadata, "image_metadata", paused)
    thumbnails = f"org-{media.organization_id}/thumbnails"

    with django_capture_on_commit_callbacks(execute=True):
        tasks.process_media.apply(args=[media.lead_file.pk]).get()

    media.refresh_from_db()
    assert others[0] is not None
    file = media.lead_file
    assert file.processing_status == Status.PROCESSING  # the other worker's, untouched
    assert file.processing_claimed_at == others[0] and not file.thumbnail
    assert default_storage.listdir(thumbnails)[1] == []  # the loser's file is not left behind


@pytest.mark.django_db(transaction=True)
def test_a_working_worker_keeps_its_lease(make_media, photo, settings):
    settings.PROCESSING_LEASE_SECONDS = 1  # renewed every third of a second
    media = make_media(photo(), "photo.jpg")
    claim = lease.claim(media_id=media.lead_file.pk)
    with lease.LeaseKeeper(media_id=media.lead_file.pk, claim=claim):
        time.sleep(2.5)  # well past the lease it was given
        assert processing.requeue_stale_processing() == 0
        media.refresh_from_db()
        assert media.lead_file.processing_lease_until > datetime.datetime.now(tz=datetime.UTC)
    assert media.lead_file.processing_claimed_at == claim
