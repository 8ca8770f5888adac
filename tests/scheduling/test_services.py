"""Editing, deleting and archiving scheduled items; the banner at its time; a broker that is down."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from banners.models import Banner
from media_content import lifecycle, timing
from media_content.models import MediaContent, ScheduledPost
from publishing import dispatch

from ..factories import MediaContentFactory, ScheduledPostFactory

UTC = datetime.UTC
NOON = datetime.datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
LATER = NOON + datetime.timedelta(days=2)
Status = ScheduledPost.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def noon(time_machine):
    time_machine.move_to(NOON, tick=False)
    return time_machine


def rows(media) -> list[tuple[str, str, datetime.datetime]]:
    return sorted(
        ScheduledPost.objects.filter(media_content=media).values_list(
            "destination", "status", "scheduled_time"
        )
    )


def test_scheduling_later_makes_pending_posts_and_marks_the_item(noon, counting, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True, post_to_instagram=True)
    created = lifecycle.media_reschedule(media=media, when=LATER)
    assert len(created) == 2
    assert rows(media) == [("facebook", "pending", LATER), ("instagram", "pending", LATER)]
    media.refresh_from_db()
    assert (media.status, media.scheduled_post_time) == (MediaContent.Status.SCHEDULED, LATER)
    assert counting.calls == []


def test_changing_the_time_replaces_the_pending_posts(noon, counting, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    [old] = lifecycle.media_reschedule(media=media, when=LATER)
    new_time = LATER + datetime.timedelta(hours=3)
    [new] = lifecycle.media_reschedule(media=media, when=new_time)
    assert rows(media) == [("facebook", "cancelled", LATER), ("facebook", "pending", new_time)]
    # A message already sent for the old row publishes nothing.
    dispatch.send_publishing_tasks([old.pk])
    assert counting.calls == []
    noon.move_to(new_time, tick=False)
    dispatch.dispatch_due_posts()
    assert counting.calls == [new.pk]


def test_the_same_time_keeps_the_posts(noon, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    lifecycle.media_reschedule(media=media, when=LATER)
    assert lifecycle.media_reschedule(media=media, when=LATER) == []
    assert rows(media) == [("facebook", "pending", LATER)]


def test_destinations_added_get_posts_and_removed_ones_are_cancelled(noon, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True, post_to_instagram=True)
    lifecycle.media_reschedule(media=media, when=LATER)
    ScheduledPost.objects.filter(destination="instagram").update(status="queued", claimed_at=NOON)
    media.post_to_facebook = media.post_to_instagram = False
    media.post_to_banner = True
    media.title = "Summer sale"
    media.save()
    lifecycle.media_reschedule(media=media, when=LATER)
    assert rows(media) == [
        ("banner", "pending", LATER),
        ("facebook", "cancelled", LATER),
        ("instagram", "cancelled", LATER),
    ]
    assert ScheduledPost.objects.get(destination="banner").title == "Summer sale"


def test_posts_in_flight_or_posted_are_left_alone(noon, counting, sunrise):
    media = MediaContentFactory(
        organization=sunrise, post_to_facebook=True, post_to_instagram=True, post_to_banner=False
    )
    ScheduledPostFactory(media_content=media, destination="facebook", status="publishing")
    ScheduledPostFactory(
        media_content=media, destination="instagram", status="posted", posted_at=NOON
    )
    assert lifecycle.media_reschedule(media=media, when=LATER) == []
    assert [status for _, status, _ in rows(media)] == ["publishing", "posted"]


def test_removing_every_destination_returns_the_item_to_draft(noon, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    lifecycle.media_reschedule(media=media, when=LATER)
    media.post_to_facebook = False
    media.save()
    lifecycle.media_reschedule(media=media, when=LATER)
    media.refresh_from_db()
    assert media.status == MediaContent.Status.DRAFT
    assert rows(media) == [("facebook", "cancelled", LATER)]


def test_post_now_through_reschedule_publishes_after_commit(
    noon, counting, sunrise, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    with django_capture_on_commit_callbacks(execute=True):
        [post] = lifecycle.media_reschedule(media=media, when=NOON)
    assert counting.calls == [post.pk]
    media.refresh_from_db()
    assert media.status == MediaContent.Status.POSTED


def test_deleting_an_item_cancels_what_is_pending_and_keeps_history(noon, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True, post_to_instagram=True)
    posted = ScheduledPostFactory(
        media_content=media, destination="facebook", status="posted", posted_at=NOON
    )
    lifecycle.media_reschedule(media=media, when=LATER)  # instagram: pending
    assert lifecycle.media_unschedule(media=media) == 1
    media.delete()
    history = sorted(
        ScheduledPost.objects.values_list("destination", "status", "media_content", "title")
    )
    assert history == [
        ("facebook", "posted", None, posted.title),
        ("instagram", "cancelled", None, media.title),
    ]


def test_the_banner_starts_on_the_scheduled_local_date_and_ends_when_chosen(noon, sunrise):
    # 11:30 PM on June 30 in Los Angeles is already July 1 in UTC.
    when = timing.local_schedule_time(
        organization=sunrise, date=datetime.date(2024, 6, 30), time=datetime.time(23, 30)
    )
    media = MediaContentFactory(
        organization=sunrise, post_to_banner=True, banner_end_date=datetime.date(2024, 7, 14)
    )
    lifecycle.media_reschedule(media=media, when=when)
    assert not Banner.objects.exists()  # not before its time
    noon.move_to(when, tick=False)
    dispatch.dispatch_due_posts()
    banner = Banner.objects.get(media_content=media)
    assert (banner.start_date, banner.end_date, banner.is_active) == (
        datetime.date(2024, 6, 30),
        datetime.date(2024, 7, 14),
        True,
    )
    assert ScheduledPost.objects.get(media_content=media).status == Status.POSTED


def test_a_banner_end_before_its_start_is_refused(noon, sunrise):
    media = MediaContentFactory(
        organization=sunrise, post_to_banner=True, banner_end_date=datetime.date(2024, 6, 4)
    )
    with pytest.raises(ValidationError) as caught:
        lifecycle.media_reschedule(media=media, when=LATER)  # June 5
    assert caught.value.message_dict == {
        "banner_end_date": ["The banner's last day cannot be before its first day, June 5, 2024."]
    }
    assert not ScheduledPost.objects.exists()


def test_posting_now_with_the_broker_down_answers_normally(
    noon, counting, sunrise, broker_down, django_capture_on_commit_callbacks, caplog
):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    with django_capture_on_commit_callbacks(execute=True):
        [post] = lifecycle.media_publish_now(media=media)
    assert "the dispatcher's next sweep sends them" in caplog.text
    post.refresh_from_db()
    assert post.status == Status.PENDING


def test_the_dispatcher_with_the_broker_down_keeps_posts_pending(
    noon, sunrise, broker_down, settings
):
    settings.SCHEDULING_BATCH_SIZE = 2
    posts = [
        ScheduledPostFactory(media_content__organization=sunrise, scheduled_time=NOON)
        for _ in range(3)
    ]
    report = dispatch.dispatch_due_posts()
    assert (report.claimed, report.sent, report.broker_down, report.batches) == (2, 0, True, 1)
    assert {p.status for p in ScheduledPost.objects.filter(pk__in=[p.pk for p in posts])} == {
        "pending"
    }
    assert set(ScheduledPost.objects.values_list("claimed_at", flat=True)) == {None}


def test_the_next_sweep_after_the_broker_is_back_sends_them(noon, counting, sunrise, broker_down):
    post = ScheduledPostFactory(media_content__organization=sunrise, scheduled_time=NOON)
    assert dispatch.dispatch_due_posts().broker_down
    from .conftest import use_broker

    restore = use_broker("memory://", eager=True)  # the broker is back
    try:
        assert dispatch.dispatch_due_posts().sent == 1
    finally:
        restore()
    assert counting.calls == [post.pk]


def test_old_posted_items_are_archived(noon, sunrise):
    def posted_item(days_ago: int, status=MediaContent.Status.POSTED):
        media = MediaContentFactory(organization=sunrise, status=status)
        ScheduledPostFactory(
            media_content=media,
            status="posted",
            posted_at=NOON - datetime.timedelta(days=days_ago),
        )
        return media

    old, recent, scheduled = posted_item(91), posted_item(89), posted_item(120, "scheduled")
    two_destinations = posted_item(200)
    ScheduledPostFactory(  # its second destination posted today: still active
        media_content=two_destinations, destination="instagram", status="posted", posted_at=NOON
    )
    assert lifecycle.archive_old_posted_media(older_than=datetime.timedelta(days=90)) == 1
    statuses = dict(MediaContent.objects.values_list("pk", "status"))
    assert statuses == {
        old.pk: "archived",
        recent.pk: "posted",
        scheduled.pk: "scheduled",
        two_destinations.pk: "posted",
    }


def test_the_archive_task_reads_its_age_from_settings(noon, sunrise, settings):
    from media_content.tasks import archive_old_posted_media

    media = MediaContentFactory(organization=sunrise, status=MediaContent.Status.POSTED)
    ScheduledPostFactory(
        media_content=media, status="posted", posted_at=NOON - datetime.timedelta(days=10)
    )
    settings.MEDIA_ARCHIVE_POSTED_AFTER_DAYS = 30
    assert archive_old_posted_media.delay().get() == 0
    settings.MEDIA_ARCHIVE_POSTED_AFTER_DAYS = 7
    assert archive_old_posted_media.delay().get() == 1


def test_a_new_file_with_the_broker_down_is_sent_by_the_first_sweep_once_it_is_back(
    noon, sunrise, broker_down, django_capture_on_commit_callbacks, caplog
):
    from library.processing import services as processing

    media = MediaContentFactory(organization=sunrise, processing_status="ready")
    with django_capture_on_commit_callbacks(execute=True):
        processing.request_processing(media=media.lead_file)  # the request answers normally
    assert "Could not send the processing task" in caplog.text
    file = media.lead_file
    file.refresh_from_db()
    assert file.processing_status == "pending"
    assert file.processing_lease_until is None  # nothing is out for it: the next sweep sends

    assert processing.requeue_stale_processing() == 0  # still down: nothing sent, nothing lost
    file.refresh_from_db()
    assert (file.processing_status, file.processing_lease_until) == ("pending", None)
    noon.shift(datetime.timedelta(seconds=1))
    from .conftest import use_broker

    restore = use_broker("memory://", eager=True)  # the broker is back
    try:
        assert processing.requeue_stale_processing() == 1  # at once, no 15-minute wait
    finally:
        restore()
    file.refresh_from_db()
    # The eager worker processed it: the factory's bytes are a real JPEG.
    assert file.processing_status == "ready" and file.processing_attempts == 1
    assert processing.requeue_stale_processing() == 0


def test_the_processing_sweep_is_stored_in_beat_every_thirty_seconds(sunrise, settings):
    from django_celery_beat.models import PeriodicTask

    from dealer_media.periodic import setup_periodic_tasks

    setup_periodic_tasks()
    job = PeriodicTask.objects.get(task="media_content.tasks.requeue_stale_processing")
    assert job.enabled and job.interval.every == settings.PROCESSING_SWEEP_SECONDS == 30
