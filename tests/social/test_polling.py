"""The periodic jobs that follow up on Meta's slow work and on workers that died."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing
from publishing.tasks import mark_stale_publishing_unconfirmed, publish_scheduled_post
from social.tasks import poll_pending_posts

from ..factories import MediaContentFactory, ScheduledPostFactory
from .fake_graph import PROXY_504, Reply

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


# --- Facebook videos whose finish answer was lost: settled by the poll, by the started id -----


def _video(sunrise, *, reel: bool) -> MediaContent:
    return MediaContentFactory(
        organization=sunrise,
        media_type="video",
        post_to_facebook=True,
        facebook_video_format="reel" if reel else "video",
        file=ContentFile(bytes(range(256)) * 4, name="walkaround.mp4"),
    )


def _send_with_the_finish_answer_lost(fake_graph, media, capture) -> ScheduledPost:
    """Meta carries the finish out (it publishes), and its answer is lost behind a 502."""
    fake_graph.script_phase("finish", Reply(status=502, raw=PROXY_504, done=True))
    post = ScheduledPostFactory(media_content=media, destination="facebook")
    with capture(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert "fb_video_id" not in post.external_state  # only the started video's id is known
    return post


def _finishes(fake_graph, edge: str) -> int:
    return sum(
        1 for r in fake_graph.calls("POST", f"/111/{edge}") if r.params["upload_phase"] == "finish"
    )


def _poll(capture) -> int:
    with capture(execute=True):
        return poll_pending_posts()


def test_the_poll_settles_a_reel_whose_finish_answer_was_lost(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    fake_graph.reel_polls_processing = 1
    post = _send_with_the_finish_answer_lost(
        fake_graph, _video(sunrise, reel=True), django_capture_on_commit_callbacks
    )
    video_id = post.external_state["fb_started_video_id"]
    assert fake_graph.published == [("video_reels", video_id)]

    # Meta is still processing it: the poll asks, and leaves it for a later poll.
    assert _poll(django_capture_on_commit_callbacks) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert post.external_state["fb_video_status"] == "processing"

    # Published (publishing_phase complete): posted once, with the Reel's id and link.
    assert _poll(django_capture_on_commit_callbacks) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_id == video_id
    assert post.external_url == f"https://www.facebook.com/reel/{video_id}"
    assert post.last_error == ""
    assert _poll(django_capture_on_commit_callbacks) == 0  # settled: not asked about again
    assert len(fake_graph.calls("GET", f"/{video_id}")) == 2
    assert _finishes(fake_graph, "video_reels") == 1  # never published again
    assert fake_graph.published == [("video_reels", video_id)]


def test_the_poll_settles_a_resumable_video_whose_finish_answer_was_lost(
    fake_graph, account, sunrise, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_URL = "/media/"  # local file: the resumable start/transfer/finish
    fake_graph.video_polls_processing = 1
    post = _send_with_the_finish_answer_lost(
        fake_graph, _video(sunrise, reel=False), django_capture_on_commit_callbacks
    )
    assert post.external_state["fb_started_video_id"] == "v1000"

    assert _poll(django_capture_on_commit_callbacks) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED  # still processing
    assert _poll(django_capture_on_commit_callbacks) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_id == "v1000"
    assert post.external_url == "https://www.facebook.com/111/videos/v1000"
    assert _poll(django_capture_on_commit_callbacks) == 0
    assert _finishes(fake_graph, "videos") == 1
    assert fake_graph.published == [("videos", "v1000")]


def test_the_poll_fails_in_metas_words_a_reel_meta_could_not_publish(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    post = _send_with_the_finish_answer_lost(
        fake_graph, _video(sunrise, reel=True), django_capture_on_commit_callbacks
    )
    video_id = post.external_state["fb_started_video_id"]
    fake_graph.fail_video(video_id, "Video is too short.")

    assert _poll(django_capture_on_commit_callbacks) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.FAILED
    assert post.last_error == (
        "Facebook could not publish the Reel. Facebook says: Video is too short."
    )
    assert _poll(django_capture_on_commit_callbacks) == 0
    assert _finishes(fake_graph, "video_reels") == 1


def test_a_bare_5xx_on_the_status_read_leaves_the_reel_for_the_next_poll(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    fake_graph.reel_polls_processing = 0
    post = _send_with_the_finish_answer_lost(
        fake_graph, _video(sunrise, reel=True), django_capture_on_commit_callbacks
    )
    video_id = post.external_state["fb_started_video_id"]
    fake_graph.script("GET", f"/{video_id}", Reply(status=500, raw=b""))

    assert _poll(django_capture_on_commit_callbacks) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED  # Meta said nothing: no guess
    assert _poll(django_capture_on_commit_callbacks) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert _finishes(fake_graph, "video_reels") == 1


def test_a_reel_whose_finish_never_reached_meta_stays_for_a_person_and_is_not_sent_again(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    # The 502 came from the proxy: Meta never got the finish, the Reel is only uploaded.
    fake_graph.script_phase("finish", Reply(status=502, raw=PROXY_504))
    post = ScheduledPostFactory(media_content=_video(sunrise, reel=True), destination="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED

    for _ in range(2):
        assert _poll(django_capture_on_commit_callbacks) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert post.external_state["fb_video_status"] == "upload_complete"
    assert _finishes(fake_graph, "video_reels") == 1
    assert fake_graph.published == []
