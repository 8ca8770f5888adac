"""Meta's errors by code and subcode, and never twice on an answer that does not say.

The independent fake's two failures: a photo Meta published, answered by a bare 504, was
sent again; Instagram's code 4 / 2207051 ("suspected spam, activity restricted") was taken
for a rate limit and ``media_publish`` sent six times.
"""

import datetime

import pytest
from django.utils import timezone

from media_content.models import ScheduledPost
from publishing.tasks import publish_scheduled_post
from publishing.unconfirmed import mark_stale_publishing_unconfirmed
from social.errors import ERROR_TABLE, Kind, lookup
from social.models import SocialAccount

from ..factories import ScheduledPostFactory
from .fake_graph import PROXY_504, Reply, graph_error

pytestmark = pytest.mark.django_db


def _publish(post, capture) -> ScheduledPost:
    with capture(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    return post


def test_every_row_of_the_table_names_its_source():
    for key, entry in ERROR_TABLE.items():
        assert entry.source.startswith("https://developers.facebook.com/"), key


def test_subcodes_win_over_their_codes():
    assert lookup(4, 2207051).kind == Kind.RESTRICTED
    assert lookup(4, None).kind == Kind.RATE_LIMITED
    assert lookup(9, 2207042).kind == Kind.DAILY_LIMIT
    assert lookup(9004, 2207052).kind == Kind.MEDIA_UNREACHABLE
    assert lookup(9007, 2207027).kind == Kind.NOT_READY
    assert lookup(200, None).kind == Kind.PERMISSION
    assert lookup(12345, None) is None


def test_a_photo_meta_published_behind_a_bare_504_goes_out_once(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    fake_graph.script("POST", "/111/photos", Reply(status=504, raw=PROXY_504, done=True))
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert "HTTP 504" in post.last_error
    assert "cannot tell whether it was published" in post.last_error
    # Nothing sends it again: not another delivery of the task, not the stale sweep.
    _publish(post, django_capture_on_commit_callbacks)
    mark_stale_publishing_unconfirmed(older_than=datetime.timedelta(0))
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert len(fake_graph.calls("POST", "/111/photos")) == 1
    assert [edge for edge, _ in fake_graph.published] == ["photos"]


def test_instagram_spam_restriction_fails_in_words_and_publishes_once(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    fake_graph.script(
        "POST",
        "/media_publish",
        graph_error(4, "Application request limit reached", subcode=2207051),
    )
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.FAILED
    assert post.last_error.startswith("Instagram has restricted this account's activity")
    assert "Facebook" not in post.last_error
    assert "(Meta code 4/2207051" in post.last_error
    assert len(fake_graph.calls("POST", "/media_publish")) == 1


def test_instagram_daily_limit_waits_for_the_window_not_failed(
    fake_graph, account, photo, settings, django_capture_on_commit_callbacks
):
    settings.SOCIAL_DAILY_LIMIT_WAIT_SECONDS = 3600
    fake_graph.script(
        "POST", "/media_publish", graph_error(9, "Max posts reached", subcode=2207042)
    )
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    before = timezone.now()
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.PENDING
    assert post.next_attempt_at >= before + datetime.timedelta(seconds=3599)
    assert "limit of posts by apps in 24 hours" in post.last_error
    assert post.external_state["retries_daily_limit"] == 1
    assert "retries" not in post.external_state  # the usual retry budget is untouched


def test_a_temporary_block_waits_long_once_then_fails(
    fake_graph, account, photo, settings, django_capture_on_commit_callbacks
):
    blocked = graph_error(368, "The action attempted has been deemed abusive")
    fake_graph.script("POST", "/111/photos", blocked, blocked)
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    before = timezone.now()
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.PENDING
    assert post.next_attempt_at >= before + datetime.timedelta(hours=6) - datetime.timedelta(
        seconds=1
    )
    ScheduledPost.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.FAILED
    assert "temporarily blocked posting" in post.last_error
    assert len(fake_graph.calls("POST", "/111/photos")) == 2


def test_media_meta_cannot_fetch_is_tried_a_few_times_then_fails_naming_the_host(
    fake_graph, account, photo, settings, django_capture_on_commit_callbacks
):
    unreachable = graph_error(9004, "The media could not be fetched", subcode=2207052)
    fake_graph.script("POST", "/17841400000000001/media", unreachable, unreachable, unreachable)
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.FAILED
    assert "Instagram could not download the file from cdn.sunrise.example" in post.last_error
    assert "We gave up after 3 tries" in post.last_error
    assert len(fake_graph.calls("POST", "/17841400000000001/media")) == 3
    assert fake_graph.calls("POST", "/media_publish") == []


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (10, "(#10) Application does not have permission for this action"),
        (200, "(#200) The user hasn't authorized the application to perform this action"),
    ],
)
def test_a_missing_permission_names_it_and_asks_for_a_reconnect(
    fake_graph, account, photo, code, message, django_capture_on_commit_callbacks
):
    fake_graph.script("POST", "/111/photos", graph_error(code, message, status=403))
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.FAILED
    assert "lacks the permission pages_manage_posts" in post.last_error
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    # Later posts fail at once, without a request.
    later = ScheduledPostFactory(media_content=photo, destination="instagram")
    assert _publish(later, django_capture_on_commit_callbacks).status == "failed"
    assert fake_graph.calls("POST", "/media") == []


def test_instagram_errors_say_instagram(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    fake_graph.script(
        "POST",
        "/17841400000000001/media",
        graph_error(2, "Service temporarily unavailable", status=503),
    )
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.POSTED  # retried once, then published
    assert len(fake_graph.calls("POST", "/media_publish")) == 1
    fake_graph.script("POST", "/media_publish", graph_error(100, "Invalid parameter"))
    other = ScheduledPostFactory(media_content=photo, destination="instagram")
    other = _publish(other, django_capture_on_commit_callbacks)
    assert other.last_error.startswith("Instagram refused the post.")


# --- The Graph API version ----------------------------------------------------


def test_the_default_version_is_the_newest_meta_documents():
    from django.conf import settings as django_settings

    from social.versions import NEWEST

    assert NEWEST == "v26.0"
    assert django_settings.FACEBOOK_GRAPH_VERSION == NEWEST  # nothing in tests overrides it


@pytest.mark.parametrize(
    ("version", "today", "warns"),
    [
        ("v26.0", datetime.date(2026, 12, 1), None),
        ("v25.0", datetime.date(2026, 12, 1), None),
        ("v21.0", datetime.date(2026, 10, 1), None),  # 112 days before
        ("v21.0", datetime.date(2026, 12, 1), "retires on January 21, 2027"),
        ("v20.0", datetime.date(2026, 12, 1), "retired on September 24, 2026"),
        ("v9.9", datetime.date(2026, 12, 1), "not a Graph API version we know"),
    ],
)
def test_check_deploy_warns_before_the_version_retires(settings, version, today, warns):
    from social.checks import graph_version_check

    settings.SOCIAL_PUBLISHER = "graph"
    settings.FACEBOOK_GRAPH_VERSION = version
    found = graph_version_check(None, today=today)
    if warns is None:
        assert found == []
    else:
        [warning] = found
        assert warns in warning.msg


def test_a_user_token_pasted_for_a_page_is_refused_by_meta_and_asks_for_a_reconnect(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    """The fake tells token kinds apart, as Meta does: a User token cannot post as the Page."""
    from .conftest import USER_TOKEN

    account.set_token(USER_TOKEN)
    account.save()
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.FAILED
    # Meta's #200 does not say why; debug_token does, and the dealer is told.
    assert "is a User token, not a Page token" in post.last_error
    assert "(Meta code 200" in post.last_error
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT
    assert fake_graph.published == []
