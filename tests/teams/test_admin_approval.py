"""The admin's media form follows approval, and shows the checks the portal and publisher use.

Changing a waiting item's status and time in the admin makes no pending posts
that nobody approved, and the admin checks every item, not the lead item only,
so a carousel the portal refuses shows its error there too.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from media_content import approval, items
from media_content.models import ApprovalStep, MediaContent, ScheduledPost

from ..factories import MediaContentFactory
from ..test_admin_scheduling import _save

pytestmark = pytest.mark.django_db

Status = ScheduledPost.Status
LATER = datetime.datetime(2026, 12, 5, 17, 0, tzinfo=datetime.UTC)
BASE_URL = "http://testserver/"


@pytest.fixture(autouse=True)
def december_first():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def staff_client(team):
    def _client(role: str) -> Client:
        user = team[role]
        user.is_staff = True
        user.save()
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label__in=["media_content", "banners"])
        )
        client = Client()
        client.force_login(user)
        return client

    return _client


@pytest.fixture
def waiting(sunrise, team, membership_of):
    """A contributor's post, waiting for approval to go to Facebook at ``LATER``."""
    media = MediaContentFactory(
        organization=sunrise, post_to_facebook=True, created_by=team["contributor"]
    )
    approval.approval_submit(
        by=membership_of("contributor"), media=media, when=LATER, base_url=BASE_URL
    )
    media.refresh_from_db()
    assert media.status == MediaContent.Status.WAITING
    return media


def _statuses(media: MediaContent) -> list[str]:
    return sorted(media.posts.values_list("status", flat=True))


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_scheduling_a_waiting_item_in_the_admin_makes_no_pending_post(staff_client, waiting, role):
    answer = _save(
        staff_client(role),
        waiting,
        status="scheduled",
        scheduled_post_time=LATER + datetime.timedelta(days=1),
    )
    waiting.refresh_from_db()
    assert _statuses(waiting) == [Status.HELD]  # nothing pending that nobody approved
    assert waiting.status == MediaContent.Status.WAITING
    assert waiting.posts.get().scheduled_time == LATER
    assert "waiting for approval" in answer.content.decode()


def test_moving_a_waiting_items_time_in_the_admin_is_refused(staff_client, waiting):
    answer = _save(
        staff_client("owner"), waiting, scheduled_post_time=LATER + datetime.timedelta(days=1)
    )
    waiting.refresh_from_db()
    assert waiting.scheduled_post_time == LATER
    assert _statuses(waiting) == [Status.HELD]
    assert "waiting for approval" in answer.content.decode()


def test_a_waiting_item_sent_back_to_draft_in_the_admin_is_refused(staff_client, waiting):
    _save(staff_client("owner"), waiting, status="draft")
    waiting.refresh_from_db()
    assert waiting.status == MediaContent.Status.WAITING
    assert _statuses(waiting) == [Status.HELD]


def test_editing_a_waiting_items_text_in_the_admin_keeps_it_held(staff_client, waiting):
    _save(staff_client("owner"), waiting, title="Truck month, new title", post_to_banner="on")
    waiting.refresh_from_db()
    assert waiting.title == "Truck month, new title"
    assert waiting.status == MediaContent.Status.WAITING
    live = waiting.posts.exclude(status=Status.CANCELLED)
    assert sorted(live.values_list("destination", "status")) == [
        ("banner", Status.HELD),
        ("facebook", Status.HELD),
    ]
    assert waiting.approval_steps.filter(kind=ApprovalStep.Kind.EDITED).exists()


def test_an_editor_whose_posts_need_approval_cannot_schedule_in_the_admin(staff_client, sunrise):
    sunrise.approval_policy = "all_but_owners"
    sunrise.save()
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    answer = _save(staff_client("editor"), media, status="scheduled", scheduled_post_time=LATER)
    media.refresh_from_db()
    assert not media.posts.exists()
    assert media.status == MediaContent.Status.DRAFT
    assert "Your role cannot publish or schedule posts directly." in answer.content.decode()


def test_publish_now_in_the_admin_needs_the_right_to_publish(staff_client, sunrise):
    sunrise.approval_policy = "all_but_owners"
    sunrise.save()
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    staff_client("editor").post(
        reverse("admin:media_content_mediacontent_changelist"),
        {"action": "publish_now", "_selected_action": [media.pk]},
        follow=True,
    )
    assert not media.posts.exists()


def test_an_approved_post_edited_in_the_admin_by_a_non_approver_waits_again(
    staff_client, sunrise, team, membership_of, mailoutbox
):
    sunrise.approval_policy = "all_but_owners"
    sunrise.save()
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    approval.approval_submit(by=membership_of("editor"), media=media, when=LATER, base_url=BASE_URL)
    approval.approval_approve(by=membership_of("owner"), media=media)
    media.refresh_from_db()
    assert media.status == MediaContent.Status.SCHEDULED
    assert _statuses(media) == [Status.PENDING]

    _save(staff_client("editor"), media, title="Changed after approval")

    media.refresh_from_db()
    assert media.title == "Changed after approval"
    assert media.status == MediaContent.Status.WAITING
    assert _statuses(media) == [Status.HELD]
    assert media.approval_steps.order_by("-id").first().kind == ApprovalStep.Kind.RESUBMITTED


def test_the_admin_shows_the_posts_checks_as_the_portal_does(client, superuser, sunrise):
    wide = MediaContentFactory(organization=sunrise, title="Front", width=1200, height=800)
    square = MediaContentFactory(organization=sunrise, title="Dashboard", width=1080, height=1080)
    lead = items.media_compose(
        organization=sunrise,
        item_ids=[wide.lead_file.pk, square.lead_file.pk],
        title="F-150",
        destinations=[],
    )
    client.force_login(superuser)
    page = client.get(reverse("admin:media_content_mediacontent_change", args=[lead.pk]))
    html = page.content.decode()
    assert "“Dashboard” (item 2) is 1.00:1 but the first item is 1.50:1" in html
