"""Publishing to Facebook and Instagram through the real client, against the fake Graph API."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from media_content import lifecycle
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing
from publishing import unconfirmed
from publishing.tasks import publish_scheduled_post
from social.models import SocialAccount
from social.selectors import destination_states

from ..factories import MediaContentFactory, ScheduledPostFactory
from .conftest import PUBLIC_MEDIA_URL, TOKEN
from .fake_graph import Reply, graph_error

pytestmark = pytest.mark.django_db


def publish_all(media, capture):
    with capture(execute=True):
        return lifecycle.media_publish_now(media=media)


def test_facebook_photo_posts_url_and_message(fake_graph, account, photo):
    photo.post_to_instagram = False
    photo.save()
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)

    assert result.status == ScheduledPost.Status.POSTED
    [sent] = fake_graph.calls("POST", "/111/photos")
    assert sent.path == "/v24.0/111/photos"
    assert sent.authorization == f"Bearer {TOKEN}"
    assert sent.params["url"] == f"{PUBLIC_MEDIA_URL}{photo.lead_file.file.name}"
    assert sent.params["message"] == (
        "Spring sale\n\nZero down on every SUV.\n\nhttps://sunrise.example/suv"
    )
    assert "access_token" not in sent.path
    assert result.external_id == "111_1000"
    # Meta's answer names the post: its link at once, the permalink read later in a batch.
    assert result.external_url == "https://www.facebook.com/111_1000"
    assert result.external_state["permalink"] == "wanted"
    assert fake_graph.calls("GET") == []
    assert result.attempts == 1
    assert result.send_started_at is not None


def test_facebook_photo_on_local_disk_is_uploaded_as_bytes(fake_graph, account, photo, settings):
    settings.MEDIA_URL = "/media/"
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.POSTED
    [sent] = fake_graph.calls("POST", "/111/photos")
    photo.lead_file.file.open("rb")
    assert sent.params["source"] == photo.lead_file.file.read()
    assert "url" not in sent.params


def test_text_and_link_post_goes_to_the_feed(fake_graph, account, sunrise):
    media = MediaContentFactory(organization=sunrise, file="", link_url="https://sunrise.example")
    post = ScheduledPostFactory(media_content=media, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    [sent] = fake_graph.calls("POST", "/111/feed")
    assert sent.params["link"] == "https://sunrise.example"
    assert result.status == ScheduledPost.Status.POSTED
    assert result.external_id.startswith("111_")


def test_instagram_waits_for_the_container_then_publishes(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    photo.post_to_facebook = False
    photo.save()
    fake_graph.script(
        "GET",
        "/c1000",
        Reply(body={"status_code": "IN_PROGRESS"}),
        Reply(body={"status_code": "IN_PROGRESS"}),
        Reply(body={"status_code": "FINISHED"}),
    )
    publish_all(photo, django_capture_on_commit_callbacks)

    post = photo.posts.get()
    assert post.status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("GET", "/content_publishing_limit")) == 1
    [created] = fake_graph.calls("POST", "/17841400000000001/media")
    assert created.params["image_url"].startswith(PUBLIC_MEDIA_URL)
    assert created.params["caption"].startswith("Spring sale")
    assert len(fake_graph.calls("GET", "/c1000")) == 3
    [published] = fake_graph.calls("POST", "/media_publish")
    assert published.params["creation_id"] == "c1000"
    assert post.external_id == "m1001"
    assert post.external_url == ""  # read later with the account's other new posts
    assert post.external_state["permalink"] == "wanted"
    assert fake_graph.calls("GET", "/m1001") == []
    assert post.attempts == 3  # one claim per status check, one container
    assert post.external_state["container_status"] == "FINISHED"
    photo.refresh_from_db()
    assert photo.status == MediaContent.Status.POSTED


def test_instagram_gets_the_instagram_ready_copy_when_there_is_one(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    """The checks promise the dealer that the copy is posted instead of the original."""
    from library.processing.renditions import INSTAGRAM_PAD, rendition_get_or_create

    photo.post_to_facebook = False
    photo.save()
    copy = rendition_get_or_create(media=photo.lead_file, spec=INSTAGRAM_PAD)
    fake_graph.script("GET", "/c1000", Reply(body={"status_code": "FINISHED"}))
    publish_all(photo, django_capture_on_commit_callbacks)

    [created] = fake_graph.calls("POST", "/17841400000000001/media")
    assert created.params["image_url"] == f"{PUBLIC_MEDIA_URL}{copy.file.name}"
    assert copy.file.name != photo.lead_file.file.name
    assert photo.posts.get().status == ScheduledPost.Status.POSTED


def test_instagram_video_is_a_reel(fake_graph, account, sunrise):
    video = MediaContentFactory(organization=sunrise, media_type="video", post_to_instagram=True)
    post = ScheduledPostFactory(media_content=video, destination="instagram")
    publishing.publish_post(post_id=post.pk)
    [created] = fake_graph.calls("POST", "/media")
    assert created.params["media_type"] == "REELS"
    assert created.params["video_url"].startswith(PUBLIC_MEDIA_URL)


@pytest.mark.parametrize(
    ("state", "words"),
    [("ERROR", "Instagram could not use the media"), ("EXPIRED", "within 24 hours")],
)
def test_failed_or_expired_container_fails_the_post(fake_graph, account, photo, state, words):
    fake_graph.script("GET", "/c1000", Reply(body={"status_code": state, "status": "2207004"}))
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert words in result.last_error
    assert fake_graph.calls("POST", "/media_publish") == []
    assert result.external_state["container_id"] == ""  # a retry prepares a new one


def test_instagram_is_refused_with_local_storage(fake_graph, account, photo, settings):
    settings.MEDIA_URL = "/media/"
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert "on its own disk, which Instagram cannot reach" in result.last_error
    assert fake_graph.calls("POST") == []


def test_instagram_quota_reached_waits_and_sends_nothing(fake_graph, account, photo):
    fake_graph.ig_quota = {
        "quota_usage": 50,
        "config": {"quota_total": 50, "quota_duration": 86400},
    }
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.PENDING
    assert "allows 50 posts" in result.last_error
    assert result.next_attempt_at >= timezone.now() + datetime.timedelta(minutes=59)
    assert fake_graph.calls("POST") == []


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_rate_limit_waits_as_long_as_meta_says_then_posts(
    fake_graph, account, photo, code, django_capture_on_commit_callbacks
):
    usage = {"111": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 5}]}
    fake_graph.script(
        "POST",
        "/111/photos",
        graph_error(
            code,
            "Application request limit reached",
            headers={
                "X-Business-Use-Case-Usage": json.dumps(usage),
                "X-App-Usage": json.dumps({"call_count": 100}),
            },
        ),
    )
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    # The eager re-delivery came at once and was refused: Meta said five minutes.
    assert post.status == ScheduledPost.Status.PENDING
    assert post.next_attempt_at >= before + datetime.timedelta(minutes=5)
    assert f"Meta code {code}" in post.last_error
    assert f"trace Atrace{code}" in post.last_error
    assert "limiting how often" in post.last_error
    assert len(fake_graph.calls("POST", "/111/photos")) == 1

    with time_machine.travel(post.next_attempt_at + datetime.timedelta(seconds=1)):
        publishing.publish_post(post_id=post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.attempts == 2
    assert len(fake_graph.calls("POST", "/111/photos")) == 2


def test_server_errors_are_retried_a_bounded_number_of_times(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    fake_graph.script(
        "POST", "/111/photos", *[graph_error(2, "Service unavailable", status=500)] * 10
    )
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.FAILED
    assert len(fake_graph.calls("POST", "/111/photos")) == 4  # 1 + SOCIAL_MAX_RETRIES
    assert post.attempts == 4
    assert "temporary problem" in post.last_error
    assert "We gave up after 4 tries" in post.last_error
    assert post.send_started_at is None
    assert "retries" not in post.external_state

    # A person's retry gets a fresh budget and Meta is back.
    fake_graph.scripts.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.media_retry_failed(media=photo) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("POST", "/111/photos")) == 5


def test_a_500_with_metas_temporary_error_is_retried_and_posts_once(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    """Meta's error object says a temporary problem (code 2): nothing was done, so retry."""
    fake_graph.script(
        "POST", "/111/photos", graph_error(2, "Service temporarily unavailable", status=500)
    )
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_state["retries"] == 1
    assert len(fake_graph.calls("POST", "/111/photos")) == 2


def test_a_bare_500_after_sending_is_unconfirmed_never_resent(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    """No error object: the request may have published the photo. A person checks."""
    fake_graph.script("POST", "/111/photos", Reply(status=500, body={}))
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert "cannot tell whether it was published" in post.last_error
    assert len(fake_graph.calls("POST", "/111/photos")) == 1


def test_expired_token_fails_and_marks_the_account(fake_graph, account, photo):
    fake_graph.script(
        "POST", "/111/photos", graph_error(190, "Error validating access token", subcode=463)
    )
    facebook = ScheduledPostFactory(media_content=photo, destination="facebook")
    result = publishing.publish_post(post_id=facebook.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert "reconnect the Page" in result.last_error
    assert "Meta code 190/463" in result.last_error
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.NEEDS_RECONNECT

    instagram = ScheduledPostFactory(media_content=photo, destination="instagram")
    requests_before = len(fake_graph.requests)
    result = publishing.publish_post(post_id=instagram.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert "until the Facebook Page Sunrise Motors is reconnected" in result.last_error
    assert len(fake_graph.requests) == requests_before  # nothing sent with a dead token


def test_rejected_media_fails_at_once(fake_graph, account, photo):
    fake_graph.script(
        "POST",
        "/media",
        graph_error(
            36000,
            "The image size is too large.",
            subcode=2207004,
            user_msg="The image is too large to download. It should be less than 8 MiB.",
        ),
    )
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert result.last_error == (
        "Instagram refused the post. The image is too large to download. It should be less "
        "than 8 MiB. (Meta code 36000/2207004, trace Atrace36000)"
    )
    assert len(fake_graph.calls("POST", "/media")) == 1


def test_duplicate_post_506_is_not_a_failure_and_not_resent(fake_graph, account, photo):
    fake_graph.script("POST", "/111/photos", graph_error(506, "Duplicate status message"))
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.POSTED
    assert "same post was just published" in result.last_error
    assert "not sent again" in result.last_error
    assert len(fake_graph.calls("POST", "/111/photos")) == 1


def test_no_answer_after_sending_leaves_the_post_unconfirmed(fake_graph, account, photo):
    fake_graph.script("POST", "/111/photos", Reply(delay=2.0, body={"id": "late"}))
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.UNCONFIRMED
    assert "cannot tell whether it was published" in result.last_error
    assert publishing.publish_post(post_id=post.pk) is None
    assert lifecycle.media_retry_failed(media=photo) == 0
    assert len(fake_graph.calls("POST", "/111/photos")) == 1
    assert unconfirmed.resolve_unconfirmed(post=result, posted=True)
    result.refresh_from_db()
    assert result.status == ScheduledPost.Status.POSTED


def test_a_slow_status_read_is_simply_read_again(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    fake_graph.script("GET", "/c1000", Reply(delay=2.0, body={"status_code": "FINISHED"}))
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("GET", "/c1000")) == 2
    assert len(fake_graph.calls("POST", "/media_publish")) == 1


def test_duplicate_task_delivery_posts_once(fake_graph, account, photo):
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    publish_scheduled_post.delay(post.pk)
    publish_scheduled_post.delay(post.pk)
    publish_scheduled_post.apply(args=(post.pk,))
    assert len(fake_graph.calls("POST", "/111/photos")) == 1
    post.refresh_from_db()
    assert post.attempts == 1


def test_partial_success_names_the_failed_destination_and_retries_only_it(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    fake_graph.script(
        "POST",
        "/media",
        graph_error(36000, "The image size is too large.", subcode=2207004, user_msg="Too large."),
    )
    publish_all(photo, django_capture_on_commit_callbacks)
    photo.refresh_from_db()
    assert photo.status == MediaContent.Status.FAILED
    states = destination_states(media=photo)
    assert states["facebook"]["status"] == "posted"
    assert states["instagram"]["status"] == "failed"
    assert "Instagram refused the post. Too large." in states["instagram"]["error"]
    assert "Meta code 36000/2207004" in states["instagram"]["error"]
    assert states["instagram"]["retryable"] and not states["facebook"]["retryable"]

    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.media_retry_failed(media=photo) == 1
    photo.refresh_from_db()
    assert photo.status == MediaContent.Status.POSTED
    assert len(fake_graph.calls("POST", "/111/photos")) == 1
    assert len(fake_graph.calls("POST", "/media")) == 2
    assert len(fake_graph.calls("POST", "/media_publish")) == 1


def test_facebook_video_by_url_waits_for_processing(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    video = MediaContentFactory(
        organization=sunrise,
        media_type="video",
        post_to_facebook=True,
        facebook_video_format="video",  # vertical, 30 s: a Reel unless told otherwise
    )
    fake_graph.script(
        "GET",
        "/v1000",
        Reply(body={"status": {"video_status": "processing", "processing_progress": 40}}),
    )
    publish_all(video, django_capture_on_commit_callbacks)
    post = video.posts.get()
    [sent] = fake_graph.calls("POST", "/111/videos")
    assert sent.params["file_url"].startswith(PUBLIC_MEDIA_URL)
    assert sent.params["title"] == video.title
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_id == "v1000"
    assert len(fake_graph.calls("GET", "/v1000")) == 2


def test_facebook_video_that_never_finishes_is_unconfirmed_until_refreshed(
    fake_graph, account, sunrise, sunrise_client, django_capture_on_commit_callbacks
):
    video = MediaContentFactory(
        organization=sunrise,
        media_type="video",
        post_to_facebook=True,
        facebook_video_format="video",  # vertical, 30 s: a Reel unless told otherwise
    )
    fake_graph.script(
        "GET", "/v1000", *[Reply(body={"status": {"video_status": "processing"}})] * 6
    )
    publish_all(video, django_capture_on_commit_callbacks)
    post = video.posts.get()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert "still processing" in post.last_error
    assert len(fake_graph.calls("POST", "/111/videos")) == 1

    answer = sunrise_client.post(f"/marketing/media/{video.pk}/refresh")
    assert answer.status_code == 200
    body = answer.json()
    assert body["destinations"]["facebook"]["status"] == "posted"
    assert body["destinations"]["facebook"]["video_status"] == "ready"
    assert body["status"] == "posted"
    assert len(fake_graph.calls("POST", "/111/videos")) == 1


def test_large_local_video_uses_the_resumable_upload(fake_graph, account, sunrise, settings):
    settings.MEDIA_URL = "/media/"
    from django.core.files.base import ContentFile

    content = bytes(range(256)) * 12  # 3072 bytes: three chunks of the fake's 1024
    video = MediaContentFactory(
        organization=sunrise,
        media_type="video",
        facebook_video_format="video",
        file=ContentFile(content, name="clip.mp4"),
    )
    post = ScheduledPostFactory(media_content=video, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    phases = [r.params.get("upload_phase") for r in fake_graph.calls("POST", "/111/videos")]
    assert phases == ["start", "transfer", "transfer", "transfer", "finish"]
    chunks = [r.params["video_file_chunk"] for r in fake_graph.calls("POST", "/111/videos")[1:4]]
    assert b"".join(chunks) == content
    assert result.status == ScheduledPost.Status.PENDING  # processing, checked later
    assert result.external_state["fb_video_id"] == "v1000"
    assert result.send_started_at is None
    assert publishing.publish_post(post_id=post.pk).status == ScheduledPost.Status.POSTED


def test_instagram_media_not_ready_is_checked_again_not_failed(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    fake_graph.script(
        "POST",
        "/media_publish",
        graph_error(9007, "Media ID is not available", subcode=2207027),
    )
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("POST", "/media_publish")) == 2
    assert len(fake_graph.calls("POST", "/17841400000000001/media")) == 1


def test_refresh_is_tenant_scoped_and_post_only(fake_graph, account, photo, lakeside_client):
    assert lakeside_client.post(f"/marketing/media/{photo.pk}/refresh").status_code == 404


def test_refresh_reports_a_container_in_progress(
    fake_graph, account, photo, sunrise_client, settings
):
    settings.SOCIAL_STATUS_CHECK_SECONDS = 600
    fake_graph.script(
        "GET",
        "/c1000",
        Reply(body={"status_code": "IN_PROGRESS"}),
        Reply(body={"status_code": "IN_PROGRESS"}),
    )
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    publishing.publish_post(post_id=post.pk)
    assert sunrise_client.get(f"/marketing/media/{photo.pk}/refresh").status_code == 405
    body = sunrise_client.post(f"/marketing/media/{photo.pk}/refresh").json()
    assert body["destinations"]["instagram"]["status"] == "pending"
    assert body["destinations"]["instagram"]["container_status"] == "IN_PROGRESS"
    assert body["availability"]["instagram"]["state"] == "connected"
    assert len(fake_graph.calls("GET", "/c1000")) == 2
