"""Per-network captions, alt text and the first comment, against the fake Graph API."""

import datetime

import pytest
from django.utils import timezone

from media_content import services
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing
from publishing import unconfirmed

from ..factories import MediaContentFactory, ScheduledPostFactory
from .fake_graph import Reply, graph_error

pytestmark = pytest.mark.django_db

IG = "17841400000000001"


def publish_all(media, capture):
    with capture(execute=True):
        return services.media_publish_now(media=media)


def test_each_network_gets_its_own_caption(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    photo.facebook_caption = "Spring sale on Facebook: tap the link https://sunrise.example/suv"
    photo.instagram_caption = "Spring sale #suv #zerodown, link in bio @sunrisemotors"
    photo.save()
    publish_all(photo, django_capture_on_commit_callbacks)

    [facebook] = fake_graph.calls("POST", "/111/photos")
    assert facebook.params["message"] == photo.facebook_caption
    [container] = fake_graph.calls("POST", f"/{IG}/media")
    assert container.params["caption"] == photo.instagram_caption
    assert {p.status for p in photo.posts.all()} == {ScheduledPost.Status.POSTED}


def test_an_empty_caption_means_title_description_and_link(fake_graph, account, photo):
    photo.facebook_caption = "Only Facebook has its own text."
    photo.save()
    for destination in ("facebook", "instagram"):
        post = ScheduledPostFactory(media_content=photo, destination=destination)
        assert publishing.publish_post(post_id=post.pk).status == ScheduledPost.Status.POSTED
    [container] = fake_graph.calls("POST", f"/{IG}/media")
    assert container.params["caption"] == (
        "Spring sale\n\nZero down on every SUV.\n\nhttps://sunrise.example/suv"
    )
    [facebook] = fake_graph.calls("POST", "/111/photos")
    assert facebook.params["message"] == "Only Facebook has its own text."


def test_a_facebook_video_and_a_text_post_carry_the_facebook_caption(fake_graph, account, sunrise):
    video = MediaContentFactory(
        organization=sunrise,
        media_type="video",
        facebook_caption="Walk-around of the F-150",
        facebook_video_format="video",
    )
    text = MediaContentFactory(
        organization=sunrise, file="", facebook_caption="Open house Saturday", title="Open"
    )
    for media in (video, text):
        post = ScheduledPostFactory(media_content=media, destination="facebook")
        publishing.publish_post(post_id=post.pk)
    [sent_video] = fake_graph.calls("POST", "/111/videos")
    assert sent_video.params["description"] == "Walk-around of the F-150"
    [feed] = fake_graph.calls("POST", "/111/feed")
    assert feed.params["message"] == "Open house Saturday"


def test_the_unconfirmed_check_looks_for_the_instagram_caption(
    fake_graph, account, photo, settings
):
    """Settling compares the account's media with what was sent to Instagram, not Facebook."""
    from social.settling import refresh_media_destinations

    settings.FACEBOOK_GRAPH_READ_TIMEOUT = 10.0  # every answer here is immediate; no load flake

    photo.post_to_facebook = False
    photo.instagram_caption = "Instagram's own words #suv"
    photo.save()
    fake_graph.script("POST", "/media_publish", Reply(done=True, status=504, raw=b""))
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    assert publishing.publish_post(post_id=post.pk).status == ScheduledPost.Status.UNCONFIRMED
    fake_graph.containers["c1000"]["status_code"] = "FINISHED"  # only its media list tells
    refresh_media_destinations(media=photo)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_id == "m1001"


def test_alt_text_goes_with_images_only(fake_graph, account, photo, sunrise):
    photo.alt_text = "A red SUV in front of the showroom"
    photo.save()
    video = MediaContentFactory(
        organization=sunrise,
        media_type="video",
        alt_text="Not for videos",
        facebook_video_format="video",
    )
    for media in (photo, video):
        for destination in ("facebook", "instagram"):
            post = ScheduledPostFactory(media_content=media, destination=destination)
            publishing.publish_post(post_id=post.pk)

    [facebook_photo] = fake_graph.calls("POST", "/111/photos")
    assert facebook_photo.params["alt_text_custom"] == "A red SUV in front of the showroom"
    image_container, reel_container = fake_graph.calls("POST", f"/{IG}/media")
    assert image_container.params["alt_text"] == "A red SUV in front of the showroom"
    assert reel_container.params["media_type"] == "REELS"
    assert "alt_text" not in reel_container.params
    [facebook_video] = fake_graph.calls("POST", "/111/videos")
    assert "alt_text_custom" not in facebook_video.params
    assert "alt_text" not in facebook_video.params


def test_no_alt_text_sends_no_empty_parameter(fake_graph, account, photo):
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    publishing.publish_post(post_id=post.pk)
    [sent] = fake_graph.calls("POST", "/111/photos")
    assert "alt_text_custom" not in sent.params


# --- the first comment ---------------------------------------------------------------------


@pytest.fixture
def commented(photo):
    photo.first_comment = "Ask for Dana at the front desk. #sunrise"
    photo.save()
    return photo


def test_first_comment_is_posted_once_on_each_network(
    fake_graph, account, commented, django_capture_on_commit_callbacks
):
    publish_all(commented, django_capture_on_commit_callbacks)

    facebook = commented.posts.get(destination="facebook")
    instagram = commented.posts.get(destination="instagram")
    assert facebook.status == instagram.status == ScheduledPost.Status.POSTED
    assert sorted(fake_graph.comments) == sorted(
        [
            (facebook.external_id, "Ask for Dana at the front desk. #sunrise"),
            (instagram.external_id, "Ask for Dana at the front desk. #sunrise"),
        ]
    )
    [fb_call] = fake_graph.calls("POST", f"/{facebook.external_id}/comments")
    assert fb_call.path == f"/v24.0/{facebook.external_id}/comments"  # /{post-id}/comments
    [ig_call] = fake_graph.calls("POST", f"/{instagram.external_id}/comments")
    assert ig_call.path == f"/v24.0/{instagram.external_id}/comments"  # /{ig-media-id}/...
    # The comment follows the post: media_publish came before it.
    order = [r.path.rsplit("/", 1)[-1] for r in fake_graph.calls("POST")]
    assert order.index("media_publish") < max(i for i, e in enumerate(order) if e == "comments")
    assert facebook.external_state["first_comment"]["status"] == "posted"
    assert facebook.first_comment_note == "First comment posted."


def test_no_first_comment_sends_no_comment(fake_graph, account, photo):
    post = ScheduledPostFactory(media_content=photo, destination="facebook")
    publishing.publish_post(post_id=post.pk)
    assert fake_graph.calls("POST", "/comments") == []
    assert "first_comment" not in ScheduledPost.objects.get(pk=post.pk).external_state


def test_a_failing_first_comment_leaves_the_post_posted_and_says_so(
    fake_graph, account, commented, sunrise_client, django_capture_on_commit_callbacks
):
    fake_graph.script(
        "POST",
        "/comments",
        graph_error(10, "(#10) This endpoint requires the 'pages_manage_engagement' permission"),
    )
    commented.post_to_instagram = False
    commented.save()
    publish_all(commented, django_capture_on_commit_callbacks)

    post = commented.posts.get()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.last_error == ""
    assert post.external_state["first_comment"]["status"] == "failed"
    assert "pages_manage_engagement" in post.first_comment_note
    assert post.first_comment_note.startswith("First comment failed:")
    commented.refresh_from_db()
    assert commented.status == MediaContent.Status.POSTED
    account.refresh_from_db()
    assert account.status == "connected"  # a comment's refusal never blocks later posts

    library = sunrise_client.get("/marketing/media").content.decode()
    assert "Facebook: Posted" in library
    assert "First comment failed:" in library
    history = sunrise_client.get("/marketing/history").content.decode()
    assert "First comment failed:" in history
    item = sunrise_client.get(f"/marketing/media/{commented.pk}/get").json()
    assert item["destinations"]["facebook"]["status"] == "posted"
    assert item["destinations"]["facebook"]["first_comment"].startswith("First comment failed")


def test_a_first_comment_without_an_answer_is_never_sent_again(
    fake_graph, account, commented, settings
):
    """No answer may mean it was posted: it is shown as such and never retried blindly."""
    fake_graph.script("POST", "/comments", Reply(delay=2.0, body={"id": "late"}))
    post = ScheduledPostFactory(media_content=commented, destination="instagram")
    result = publishing.publish_post(post_id=post.pk)

    assert result.status == ScheduledPost.Status.POSTED
    assert result.external_state["first_comment"]["status"] == "unknown"
    assert result.first_comment_note.startswith("First comment may not have been posted")
    assert len(fake_graph.calls("POST", "/comments")) == 1


def test_sending_a_post_again_after_its_comment_went_out_does_not_comment_again(
    fake_graph, account, commented
):
    """The worker died after the comment: staff say "not posted, send again"; one comment."""
    post = ScheduledPostFactory(media_content=commented, destination="facebook")
    publishing.publish_post(post_id=post.pk)
    assert len(fake_graph.comments) == 1
    # What a worker killed before writing its outcome leaves: publishing, sent, long ago.
    ScheduledPost.objects.filter(pk=post.pk).update(
        status=ScheduledPost.Status.PUBLISHING,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert unconfirmed.mark_stale_publishing_unconfirmed(older_than=datetime.timedelta(minutes=5))
    post.refresh_from_db()
    assert unconfirmed.send_unconfirmed_again(post=post, reason="Checked: not on the Page.")
    again = publishing.publish_post(post_id=post.pk)

    assert again.status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("POST", "/111/photos")) == 2  # staff asked for it
    assert len(fake_graph.calls("POST", "/comments")) == 1
    assert again.external_state["first_comment"]["status"] == "posted"


def test_a_facebook_video_is_commented_once_it_is_ready(fake_graph, account, sunrise):
    video = MediaContentFactory(
        organization=sunrise,
        media_type="video",
        first_comment="Test drives all week.",
        facebook_video_format="video",
    )
    fake_graph.script("GET", "/v1000", Reply(body={"status": {"video_status": "processing"}}))
    post = ScheduledPostFactory(media_content=video, destination="facebook")
    publishing.publish_post(post_id=post.pk)  # sent; Facebook is processing it
    assert fake_graph.comments == []
    publishing.publish_post(post_id=post.pk)  # still processing
    assert fake_graph.comments == []
    result = publishing.publish_post(post_id=post.pk)  # ready
    assert result.status == ScheduledPost.Status.POSTED
    assert fake_graph.comments == [("v1000", "Test drives all week.")]


def test_a_first_comment_meta_cannot_read_is_shown_and_the_post_stays_posted(
    fake_graph, account, commented
):
    """A bare 502 from a proxy on the comment: unknown, never sent again, the post posted."""
    fake_graph.script("POST", "/comments", Reply(status=502, raw=b"<html>Bad gateway</html>"))
    post = ScheduledPostFactory(media_content=commented, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.POSTED
    assert result.first_comment_status == "unknown"
    assert len(fake_graph.calls("POST", "/comments")) == 1
