"""Facebook Page Reels through the real client and tasks, against the fake Graph API.

A vertical video of 3 to 90 s goes out as a Reel: start on /{page-id}/video_reels,
the file to the rupload host (by its public URL, or its bytes), finish with
video_state=PUBLISHED, then status checks with no worker held. Other videos, and
those the dealer chose to post as regular videos, go to /videos.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from media_content.models import ScheduledPost
from media_content.post_checks import validate_for
from publishing import engine as publishing
from publishing.tasks import publish_scheduled_post
from social import settling

from ..factories import MediaContentFactory, ScheduledPostFactory
from .conftest import PUBLIC_MEDIA_URL, TOKEN
from .fake_graph import PROXY_504, Reply

pytestmark = pytest.mark.django_db

CLIP = bytes(range(256)) * 8  # 2048 bytes standing for the walk-around video


@pytest.fixture
def walkaround(sunrise):
    """Vertical (1080x1920), 30 s: a Reel by the automatic choice."""
    return MediaContentFactory(
        organization=sunrise,
        title="2024 Tacoma walk-around",
        description="One owner, 12k miles.",
        link_url="",
        media_type="video",
        post_to_facebook=True,
        file=ContentFile(CLIP, name="walkaround.mp4"),
    )


def _phases(fake_graph) -> list[str]:
    return [r.params.get("upload_phase") for r in fake_graph.calls("POST", "/111/video_reels")]


def _uploads(fake_graph):
    return [r for r in fake_graph.calls("POST") if r.path.startswith("/video-upload/")]


def test_a_vertical_video_goes_out_as_a_reel_by_its_url_through_all_three_phases(
    fake_graph, account, walkaround
):
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    first = publishing.publish_post(post_id=post.pk)

    # 1. start
    [start, finish] = fake_graph.calls("POST", "/111/video_reels")
    assert start.path == "/v24.0/111/video_reels"
    assert start.params["upload_phase"] == "start"
    assert start.authorization == f"Bearer {TOKEN}"
    # 2. the upload, to the upload URL start gave, by file_url: Meta downloads the file
    [upload] = _uploads(fake_graph)
    video_id = finish.params["video_id"]
    assert upload.path == f"/video-upload/v24.0/{video_id}"
    assert upload.authorization == f"OAuth {TOKEN}"
    assert upload.headers["file_url"] == f"{PUBLIC_MEDIA_URL}{walkaround.lead_file.file.name}"
    assert upload.body == b""
    assert [size for _, size in fake_graph.fetched] == [len(CLIP)]
    # 3. finish publishes, with the description
    assert finish.params["upload_phase"] == "finish"
    assert finish.params["video_state"] == "PUBLISHED"
    assert finish.params["description"] == "2024 Tacoma walk-around\n\nOne owner, 12k miles."
    assert fake_graph.published == [("video_reels", video_id)]
    assert fake_graph.calls("POST", "/111/videos") == []

    # Then the status is checked later, each time under a new claim: no worker waits.
    assert first.status == ScheduledPost.Status.PENDING
    assert first.send_started_at is None  # Meta answered the finish: the outcome is known
    assert first.external_state["fb_video_id"] == video_id
    second = publishing.publish_post(post_id=post.pk)
    assert second.status == ScheduledPost.Status.PENDING
    assert second.external_state["fb_video_status"] == "processing"
    done = publishing.publish_post(post_id=post.pk)
    assert done.status == ScheduledPost.Status.POSTED
    assert done.external_id == video_id
    assert done.external_url == f"https://www.facebook.com/reel/{video_id}"
    assert len(fake_graph.calls("GET", f"/{video_id}")) == 2
    assert _phases(fake_graph) == ["start", "finish"]


def test_a_reel_on_local_disk_is_uploaded_as_bytes_with_offset_and_size(
    fake_graph, account, walkaround, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_URL = "/media/"  # no public URL: Meta cannot fetch it
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()

    [upload] = _uploads(fake_graph)
    assert upload.body == CLIP
    assert upload.headers["offset"] == "0"
    assert upload.headers["file_size"] == str(len(CLIP))
    assert "file_url" not in upload.headers
    assert fake_graph.fetched == []
    assert _phases(fake_graph) == ["start", "finish"]
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_url.startswith("https://www.facebook.com/reel/r")


def test_a_refused_upload_fails_in_words_and_publishes_nothing(fake_graph, account, walkaround):
    fake_graph.url_map = {}  # the public URL cannot be reached from "Meta"
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert "Could not download" in result.last_error
    assert _phases(fake_graph) == ["start"]  # no finish: nothing was published
    assert fake_graph.published == []
    assert result.send_started_at is None
    assert result.external_state["fb_reel_sent_at"] == ""  # its place in the 24 h window is free


def test_an_upload_address_on_another_host_gets_no_token(fake_graph, account, walkaround):
    fake_graph.script(
        "POST",
        "/111/video_reels",
        Reply(body={"video_id": "r1", "upload_url": "http://127.0.0.1:9/video-upload/r1"}),
    )
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert "unexpected host" in result.last_error
    assert _uploads(fake_graph) == []
    assert _phases(fake_graph) == ["start"]


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"facebook_video_format": "video"}, "the dealer chose a regular video"),
        ({"width": 1920, "height": 1080}, "landscape"),
        ({"duration": 140.0}, "longer than 90 s"),
    ],
)
def test_other_videos_go_to_videos_as_before(fake_graph, account, walkaround, fields, why):
    for name, value in fields.items():  # the post's choice, or its file's shape and length
        setattr(
            walkaround if name == "facebook_video_format" else walkaround.lead_file, name, value
        )
    walkaround.lead_file.save()
    walkaround.save()
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    publishing.publish_post(post_id=post.pk)
    [sent] = fake_graph.calls("POST", "/111/videos")
    assert sent.params["file_url"].startswith(PUBLIC_MEDIA_URL), why
    assert fake_graph.calls("POST", "/111/video_reels") == [], why


def test_a_landscape_video_the_dealer_chose_as_a_reel_goes_as_a_reel(
    fake_graph, account, walkaround
):
    walkaround.lead_file.width, walkaround.lead_file.height = 1920, 1080
    walkaround.lead_file.save()
    walkaround.facebook_video_format = "reel"
    walkaround.save()
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    publishing.publish_post(post_id=post.pk)
    assert _phases(fake_graph) == ["start", "finish"]
    assert fake_graph.calls("POST", "/111/videos") == []


def _reels_already_sent(walkaround, count, *, hours_ago):
    sent = timezone.now() - datetime.timedelta(hours=hours_ago)
    for n in range(count):
        ScheduledPostFactory(
            media_content=walkaround,
            destination="facebook",
            status=ScheduledPost.Status.POSTED,
            posted_at=sent,
            external_id=f"old{n}",
            external_state={
                "fb_reel": True,
                "fb_reel_page": "111",
                "fb_reel_sent_at": sent.isoformat(),
            },
        )
    return sent


def test_the_30_reels_a_day_limit_waits_for_room_and_sends_nothing(fake_graph, account, walkaround):
    oldest = _reels_already_sent(walkaround, 10, hours_ago=20)
    _reels_already_sent(walkaround, 20, hours_ago=2)
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)

    assert result.status == ScheduledPost.Status.PENDING
    assert "30 Reels through us in the last 24 hours" in result.last_error
    assert "in about 4 hours" in result.last_error
    # Back when the oldest of them leaves the 24-hour window, not before.
    room = oldest + datetime.timedelta(hours=24)
    assert result.next_attempt_at >= room - datetime.timedelta(seconds=5)
    assert result.external_state["retries_daily_limit"] == 1
    assert fake_graph.calls("POST") == []


def test_reels_older_than_24_hours_or_refused_do_not_count(fake_graph, account, walkaround):
    _reels_already_sent(walkaround, 29, hours_ago=2)
    _reels_already_sent(walkaround, 5, hours_ago=25)
    refused = _reels_already_sent(walkaround, 1, hours_ago=1)
    ScheduledPost.objects.filter(posted_at=refused).update(
        status=ScheduledPost.Status.FAILED, posted_at=None
    )
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    publishing.publish_post(post_id=post.pk)
    assert _phases(fake_graph) == ["start", "finish"]
    # Now there are 30: the next one waits.
    second_car = MediaContentFactory(
        organization=walkaround.organization,
        media_type="video",
        file=ContentFile(CLIP, name="second.mp4"),
    )
    other = ScheduledPostFactory(media_content=second_car, destination="facebook")
    assert publishing.publish_post(post_id=other.pk).status == ScheduledPost.Status.PENDING
    assert _phases(fake_graph) == ["start", "finish"]


def test_a_lost_finish_answer_is_unconfirmed_then_settled_by_the_refresh(
    fake_graph, account, walkaround, django_capture_on_commit_callbacks
):
    # Meta publishes the Reel; its answer is lost behind a proxy's 502.
    fake_graph.script_phase("finish", Reply(status=502, raw=PROXY_504, done=True))
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    [(_, video_id)] = fake_graph.published
    assert post.external_state["fb_started_video_id"] == video_id

    # Meta still processes it: a refresh leaves it for later; once ready, it is posted.
    with django_capture_on_commit_callbacks(execute=True):
        settling.refresh_media_destinations(media=walkaround)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        settling.refresh_media_destinations(media=walkaround)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_id == video_id
    assert post.external_url == f"https://www.facebook.com/reel/{video_id}"
    assert _phases(fake_graph) == ["start", "finish"]  # never sent twice


def test_a_reel_meta_could_not_publish_fails_with_metas_words(fake_graph, account, walkaround):
    post = ScheduledPostFactory(media_content=walkaround, destination="facebook")
    publishing.publish_post(post_id=post.pk)
    video_id = post.__class__.objects.get(pk=post.pk).external_state["fb_video_id"]
    fake_graph.script(
        "GET",
        f"/{video_id}",
        Reply(
            body={
                "status": {
                    "video_status": "error",
                    "processing_phase": {
                        "status": "error",
                        "errors": [{"code": 1363008, "message": "Video is too short."}],
                    },
                }
            }
        ),
    )
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert (
        result.last_error
        == "Facebook could not publish the Reel. Facebook says: Video is too short."
    )


# --- The destination check says which way it goes ------------------------------------


def _facebook_check(media, **fields):
    """The video's check after changing its file (``duration``) or the post's choice."""
    item = media.items()[0]
    for name, value in fields.items():
        setattr(media if name == "facebook_video_format" else item.media_file, name, value)
    item.media_file.processing_status = "ready"
    return validate_for(item, "facebook")


def test_the_check_says_a_vertical_video_will_post_as_a_reel(walkaround):
    result = _facebook_check(walkaround, duration=42.0)
    assert result.errors == []
    assert (
        "Will post as a Reel (vertical, 42 s). Choose “Regular video” under Facebook to post it "
        "the other way." in result.warnings
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"width": 1920, "height": 1080}, "landscape"),
        ({"width": 1080, "height": 1080}, "square"),
        ({"duration": 95.5}, "vertical, longer than 90 s"),
        ({"duration": 2.0}, "vertical, shorter than 3 s"),
    ],
)
def test_the_check_says_other_videos_post_as_regular_videos(walkaround, fields, reason):
    result = _facebook_check(walkaround, **fields)
    assert result.errors == []  # automatic: Reel limits never stop a regular video
    assert f"Will post as a regular Page video ({reason}). Choose “Reel" in " ".join(
        result.warnings
    )


def test_reel_limits_are_errors_only_when_the_dealer_chose_reel(walkaround):
    result = _facebook_check(walkaround, duration=120.0, facebook_video_format="reel")
    assert result.errors == [
        "Facebook Reels last 3 to 90 seconds; this video lasts 120 s. Choose “Regular video” "
        "or “Automatic”."
    ]
    assert "Will post as a Reel (as you chose)." in " ".join(result.warnings)
    chosen_video = _facebook_check(walkaround, duration=42.0, facebook_video_format="video")
    assert chosen_video.errors == []
    assert "Will post as a regular Page video (as you chose)." in " ".join(chosen_video.warnings)
