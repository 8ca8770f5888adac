"""Approval before a post goes out, through the real views, claim and dispatcher."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from dealer_media.tenancy.models import Organization
from media_content.models import ApprovalStep, MediaContent, ScheduledPost
from publishing import dispatch
from publishing import engine as publishing
from tests.scheduling.conftest import CountingPublisher

from ..factories import MediaContentFactory

pytestmark = pytest.mark.django_db

Status = ScheduledPost.Status


@pytest.fixture
def draft(sunrise, team):
    return MediaContentFactory(
        organization=sunrise,
        title="Certified pre-owned weekend",
        post_to_facebook=True,
        created_by=team["contributor"],
    )


def _local(sunrise, when: datetime.datetime) -> dict:
    local = when.astimezone(sunrise.tzinfo)
    return {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}


def _submit(client, media, data=None):
    return client.post(f"/marketing/media/{media.pk}/submit", data or {}, follow=True)


def test_contributor_submits_owner_and_editor_are_told_nothing_is_sent(
    client_as, sunrise, draft, counting, django_capture_on_commit_callbacks
):
    later = timezone.now() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client_as("contributor"), draft, _local(sunrise, later))
    assert "is waiting for approval" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.WAITING
    (post,) = draft.posts.all()
    assert post.status == Status.HELD
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["editor@sunrise.example", "owner@sunrise.example"]
    assert "Waiting for your approval" in mail.outbox[0].subject
    assert f"/marketing/media/{draft.pk}/approval" in mail.outbox[0].body
    # The notice, for approvers only; the library and calendar show it waiting.
    owner = client_as("owner")
    library = owner.get("/marketing/media").content.decode()
    assert "1 post waits for your approval" in library
    assert "Facebook: Waiting for approval" in library
    assert (
        "for your approval" not in client_as("contributor").get("/marketing/media").content.decode()
    )
    local = later.astimezone(sunrise.tzinfo).date()
    calendar = owner.get(f"/marketing/calendar?date={local.isoformat()}").content.decode()
    assert draft.title in calendar


def _never_claimed(draft, client_as) -> None:
    _submit(client_as("contributor"), draft)
    post = draft.posts.get()
    ScheduledPost.objects.filter(pk=post.pk).update(
        scheduled_time=timezone.now() - datetime.timedelta(hours=1)
    )
    # The publisher's claim and the dispatcher's sweep, as the worker and beat run them.
    assert publishing.publish_post(post_id=post.pk) is None
    assert dispatch.claim_due_posts(now=timezone.now(), limit=100) == []
    assert dispatch.dispatch_due_posts().claimed == 0
    post.refresh_from_db()
    assert post.status == Status.HELD
    assert post.claimed_at is None and post.attempts == 0
    assert CountingPublisher.calls == []


def test_a_held_post_is_never_claimed_even_when_due(draft, client_as, counting):
    _never_claimed(draft, client_as)


@pytest.mark.postgres
def test_a_held_post_is_never_claimed_on_postgresql(draft, client_as, counting):
    """The same on PostgreSQL, where the sweep claims with SELECT ... FOR UPDATE SKIP LOCKED."""
    _never_claimed(draft, client_as)


def test_the_database_refuses_a_held_post_with_a_claim(sunrise, draft, client_as):
    from django.db import IntegrityError, transaction

    _submit(client_as("contributor"), draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledPost.objects.filter(media_content=draft).update(claimed_at=timezone.now())


def test_approve_schedules_it_for_its_time(sunrise, draft, client_as, counting):
    later = timezone.now() + datetime.timedelta(days=2)
    _submit(client_as("contributor"), draft, _local(sunrise, later))
    response = client_as("owner").post(f"/marketing/media/{draft.pk}/approve", follow=True)
    assert "Approved “Certified pre-owned weekend”: it goes out" in response.content.decode()
    post = draft.posts.get()
    assert post.status == Status.PENDING
    assert post.scheduled_time == later.replace(second=0, microsecond=0)
    assert CountingPublisher.calls == []
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.SCHEDULED
    kinds = list(draft.approval_steps.values_list("kind", "by__username"))
    assert kinds == [("submitted", "sunrise-contributor"), ("approved", "sunrise-owner")]


def test_a_post_whose_time_passed_while_waiting_goes_out_when_approved(
    sunrise, draft, client_as, counting, django_capture_on_commit_callbacks
):
    soon = timezone.now() + datetime.timedelta(minutes=5)
    _submit(client_as("contributor"), draft, _local(sunrise, soon))
    ScheduledPost.objects.filter(media_content=draft).update(
        scheduled_time=timezone.now() - datetime.timedelta(hours=3)
    )
    MediaContent.objects.filter(pk=draft.pk).update(
        scheduled_post_time=timezone.now() - datetime.timedelta(hours=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_as("editor").post(f"/marketing/media/{draft.pk}/approve")
    post = ScheduledPost.objects.get(media_content=draft, status=Status.POSTED)
    assert CountingPublisher.calls == [post.pk]
    assert post.scheduled_time >= timezone.now() - datetime.timedelta(minutes=1)


def test_send_back_with_a_comment(sunrise, draft, client_as, django_capture_on_commit_callbacks):
    _submit(client_as("contributor"), draft)
    owner = client_as("owner")
    empty = owner.post(f"/marketing/media/{draft.pk}/send-back", {"comment": " "}, follow=True)
    assert "Say what should change" in empty.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/marketing/media/{draft.pk}/send-back", {"comment": "Use the red car photo."})
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.DRAFT
    assert draft.posts.get().status == Status.CANCELLED
    (message,) = mail.outbox
    assert message.to == ["contributor@sunrise.example"]
    assert "Use the red car photo." in message.body
    page = client_as("contributor").get(f"/marketing/media/{draft.pk}/approval").content.decode()
    assert "Sent back" in page and "Use the red car photo." in page
    assert "Submit for approval" in page


def test_a_contributor_may_not_approve_and_is_told_in_words(sunrise, draft, client_as):
    role = "contributor"
    _submit(client_as("contributor"), draft)
    response = client_as(role).post(f"/marketing/media/{draft.pk}/approve")
    assert response.status_code == 403
    assert "Only the dealership" in response.content.decode()
    assert draft.posts.get().status == Status.HELD
    page = client_as(role).get(f"/marketing/media/{draft.pk}/approval").content.decode()
    assert ">Approve<" not in page


def test_when_editors_posts_need_approval_only_owners_approve(
    sunrise, draft, client_as, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=sunrise.pk).update(approval_policy="all_but_owners")
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client_as("editor"), draft)
    assert [m.to for m in mail.outbox] == [["owner@sunrise.example"]]
    assert client_as("editor").post(f"/marketing/media/{draft.pk}/approve").status_code == 403
    # And they cannot post directly either.
    refused = client_as("editor").post(
        "/marketing/media/compose", {"items": [draft.pk], "schedule_mode": "now"}
    )
    assert refused.status_code == 403


def test_with_approval_off_contributors_only_draft(sunrise, draft, client_as):
    Organization.objects.filter(pk=sunrise.pk).update(approval_policy="off")
    response = _submit(client_as("contributor"), draft)
    assert "does not use approval" in response.content.decode()
    assert not draft.posts.exists()


def test_editing_an_approved_post_sends_it_back_for_approval(
    sunrise, draft, client_as, counting, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=sunrise.pk).update(approval_policy="all_but_owners")
    later = timezone.now() + datetime.timedelta(days=1)
    _submit(client_as("editor"), draft, _local(sunrise, later))
    client_as("owner").post(f"/marketing/media/{draft.pk}/approve")
    assert draft.posts.get(status=Status.PENDING)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("editor").post(
            f"/marketing/media/{draft.pk}/update",
            {"title": "Certified pre-owned, new price", "post_to_facebook": "on"},
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.WAITING
    assert list(draft.posts.exclude(status=Status.CANCELLED).values_list("status", flat=True)) == [
        Status.HELD
    ]
    assert draft.approval_steps.last().kind == ApprovalStep.Kind.RESUBMITTED
    assert "edited “Certified pre-owned, new price” after it was approved" in mail.outbox[0].body
    # The owner's own edit of an approved post keeps the approval.
    client_as("owner").post(f"/marketing/media/{draft.pk}/approve")
    client_as("owner").post(
        f"/marketing/media/{draft.pk}/update",
        {"title": "Owner's wording", "post_to_facebook": "on"},
    )
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.SCHEDULED
    assert draft.approval_steps.last().kind == ApprovalStep.Kind.EDITED


def test_editing_a_waiting_post_keeps_it_waiting_with_its_new_destinations(
    sunrise, draft, client_as
):
    _submit(client_as("contributor"), draft)
    client_as("contributor").post(
        f"/marketing/media/{draft.pk}/update",
        {"title": draft.title, "post_to_facebook": "on", "post_to_banner": "on"},
    )
    live = draft.posts.exclude(status=Status.CANCELLED)
    assert sorted(live.values_list("destination", "status")) == [
        ("banner", Status.HELD),
        ("facebook", Status.HELD),
    ]


def test_the_approval_page_of_another_dealership_is_not_found(lakeside_client, draft):
    assert lakeside_client.get(f"/marketing/media/{draft.pk}/approval").status_code == 404
    assert lakeside_client.post(f"/marketing/media/{draft.pk}/approve").status_code == 404
