"""The periodic jobs that follow up on Meta's slow work and on workers that died."""

import datetime

import pytest
from django.utils import timezone

from media_content import publishing
from media_content.models import ScheduledPost
from media_content.tasks import mark_stale_publishing_unconfirmed
from social.tasks import poll_pending_posts

from ..factories import ScheduledPostFactory
from .fake_graph import Reply

pytestmark = pytest.mark.django_db


def test_polling_publishes_a_container_once_meta_finishes_it(
    fake_graph, account, photo, settings, django_capture_on_commit_callbacks
):
    settings.SOCIAL_STATUS_CHECK_SECONDS = 600  # the post's own follow-up is far away
    fake_graph.script(
        "GET",
        "/c1000",
        Reply(body={"status_code": "IN_PROGRESS"}),
        Reply(body={"status_code": "FINISHED"}),
        Reply(body={"status_code": "FINISHED"}),
    )
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    publishing.publish_post(post_id=post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.PENDING
    assert post.external_state["container_id"] == "c1000"

    with django_capture_on_commit_callbacks(execute=True):
        assert poll_pending_posts() == 1

    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("POST", "/17841400000000001/media_publish")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_pending_posts() == 0
    assert len(fake_graph.calls("POST", "/17841400000000001/media_publish")) == 1


def test_stale_sweep_never_resends_a_post_that_may_have_gone_out(sunrise):
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    sent = ScheduledPostFactory(media_content__organization=sunrise, destination="facebook")
    unsent = ScheduledPostFactory(media_content__organization=sunrise, destination="instagram")
    ScheduledPost.objects.filter(pk=sent.pk).update(
        status="publishing", claimed_at=long_ago, send_started_at=long_ago
    )
    ScheduledPost.objects.filter(pk=unsent.pk).update(status="publishing", claimed_at=long_ago)

    mark_stale_publishing_unconfirmed()

    sent.refresh_from_db()
    unsent.refresh_from_db()
    assert sent.status == ScheduledPost.Status.UNCONFIRMED
    assert unsent.status == ScheduledPost.Status.PENDING
