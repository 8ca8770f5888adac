"""Connections checked daily and before posting; reasons in words; one email per incident."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from media_content.models import ScheduledPost
from publishing import engine as publishing
from social import health
from social.models import SocialAccount

from ..factories import ScheduledPostFactory
from .dialog import consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(owner_client, fake_meta, sunrise) -> SocialAccount:
    start = owner_client.post("/marketing/connections/facebook/start")["Location"]
    owner_client.get(consent(start))
    owner_client.post("/marketing/connections/facebook/pages", {"page_id": "111"})
    return SocialAccount.objects.get(organization=sunrise)


def _a_day_ago(account: SocialAccount) -> None:
    SocialAccount.objects.filter(pk=account.pk).update(
        verified_at=timezone.now() - datetime.timedelta(hours=25)
    )


def test_the_sweep_marks_a_dead_token_and_emails_the_owners_once(
    connected, fake_meta, owner_client, photo, django_capture_on_commit_callbacks
):
    fake_meta.invalidate(connected.get_token(), subcode=460)
    _a_day_ago(connected)
    with django_capture_on_commit_callbacks(execute=True):
        assert health.check_due_connections() == 1
    connected.refresh_from_db()
    assert connected.status == SocialAccount.Status.NEEDS_RECONNECT
    assert "password of the Facebook account" in connected.last_error
    assert len(mail.outbox) == 1
    [email] = mail.outbox
    assert email.to == ["dana@sunrise.example"]
    assert "reconnect Facebook" in email.subject
    assert "/marketing/connections" in email.body and "password" in email.body

    # The same incident: another sweep, and posts that fail on it, send no more email.
    _a_day_ago(connected)
    with django_capture_on_commit_callbacks(execute=True):
        health.check_due_connections()
        post = ScheduledPostFactory(media_content=photo, destination="facebook")
        publishing.publish_post(post_id=post.pk)
    assert len(mail.outbox) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.FAILED
    assert fake_meta.calls("POST", "/111/photos") == []

    # Every portal page of the dealership says so, with what to do.
    library = owner_client.get("/marketing/media").content.decode()
    assert "Facebook needs reconnecting." in library and "Open Connections" in library

    # Reconnecting ends the incident; the next one emails again.
    start = owner_client.post("/marketing/connections/facebook/start")["Location"]
    owner_client.get(consent(start))
    owner_client.post("/marketing/connections/facebook/pages", {"page_id": "111"})
    connected.refresh_from_db()
    assert connected.status == SocialAccount.Status.CONNECTED
    fake_meta.invalidate(connected.get_token(), subcode=463)
    _a_day_ago(connected)
    with django_capture_on_commit_callbacks(execute=True):
        health.check_due_connections()
    assert len(mail.outbox) == 2


def test_a_removed_permission_is_named(connected, fake_meta):
    fake_meta.token_info[connected.get_token()]["scopes"] = ["pages_show_list", "instagram_basic"]
    reason = health.check(connected)
    assert "pages_read_engagement" in reason and "pages_manage_posts" in reason
    assert "A permission was removed" in reason


def test_expired_data_access_is_named(connected, fake_meta):
    fake_meta.token_info[connected.get_token()]["data_access_expires_at"] = int(
        (timezone.now() - datetime.timedelta(days=1)).timestamp()
    )
    assert "data access" in health.check(connected)


def test_a_post_checks_an_account_not_checked_for_a_day_first(
    connected, fake_meta, photo, django_capture_on_commit_callbacks
):
    fake_meta.invalidate(connected.get_token(), subcode=460)
    _a_day_ago(connected)
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert "password" in result.last_error
    assert fake_meta.calls("POST", "/111/photos") == []  # nothing sent on a dead token
    assert len(mail.outbox) == 1


def test_an_account_checked_recently_posts_without_another_check(connected, fake_meta, photo):
    before = len(fake_meta.calls("GET", "/debug_token"))
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    assert publishing.publish_post(post_id=post.pk).status == ScheduledPost.Status.POSTED
    assert len(fake_meta.calls("GET", "/debug_token")) == before


def test_page_publishing_authorization_is_named_when_meta_asks_for_it(
    connected, fake_meta, photo, django_capture_on_commit_callbacks
):
    from .fake_graph import graph_error

    fake_meta.script(
        "POST",
        "/111/photos",
        graph_error(
            368,
            "Page Publishing Authorization required",
            subcode=1404078,
            status=400,
        ),
    )
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED  # not retried as a temporary block
    connected.refresh_from_db()
    assert connected.status == SocialAccount.Status.NEEDS_RECONNECT
    assert "Page Publishing Authorization" in connected.last_error
    assert "Page Publishing Authorization" in result.last_error


def test_scheduled_posts_to_a_broken_connection_are_flagged_before_their_time(
    connected, owner_client, sunrise, photo
):
    ScheduledPost.objects.create(
        organization=sunrise,
        media_content=photo,
        destination="facebook",
        scheduled_time=timezone.now() + datetime.timedelta(hours=3),
    )
    health.mark_needs_reconnect(connection=connected, reason="The connection expired.")
    library = owner_client.get("/marketing/media").content.decode()
    assert "Facebook: needs a connection" in library
    calendar = owner_client.get("/marketing/calendar").content.decode()
    assert "Facebook: needs a connection" in calendar
