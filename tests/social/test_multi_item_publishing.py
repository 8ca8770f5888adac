"""Posts of several items against the fake Graph API: Facebook photo sets, Instagram carousels."""

import json

import pytest

from media_content import items
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing

from ..factories import MediaContentFactory, ScheduledPostFactory
from .conftest import PUBLIC_MEDIA_URL
from .fake_graph import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def car_photos(sunrise):
    return [
        MediaContentFactory(organization=sunrise, title=f"Civic photo {n}", width=1080, height=1350)
        for n in (1, 2, 3)
    ]


def _post(lead_items, destination: str, title: str = "2021 Civic, 3 photos") -> ScheduledPost:
    lead = items.media_compose(
        organization=lead_items[0].organization,
        item_ids=[item.lead_file.pk for item in lead_items],
        title=title,
        description="One owner, low miles.",
        destinations=[destination],
    )
    return ScheduledPostFactory(media_content=lead, destination=destination)


def test_facebook_multi_photo_post_uploads_unpublished_photos_then_one_feed_post(
    fake_graph, account, car_photos
):
    order = [car_photos[2], car_photos[0], car_photos[1]]
    post = _post(order, "facebook")

    result = publishing.publish_post(post_id=post.pk)

    assert result.status == ScheduledPost.Status.POSTED
    photos = fake_graph.calls("POST", "/111/photos")
    assert [sent.params["url"] for sent in photos] == [
        f"{PUBLIC_MEDIA_URL}{item.lead_file.file.name}" for item in order
    ]
    assert all(sent.params["published"] == "false" for sent in photos)
    [feed] = fake_graph.calls("POST", "/111/feed")
    attached = [json.loads(feed.params[f"attached_media[{i}]"])["media_fbid"] for i in range(3)]
    assert attached == [
        result.external_state["fb_photo_ids"][str(item.lead_file.pk)] for item in order
    ]
    assert feed.params["message"].startswith("2021 Civic, 3 photos\n\nOne owner, low miles.")
    # Only the feed post went public; the photos are in it, not beside it.
    assert fake_graph.published == [("feed", result.external_id)]
    assert fake_graph.feed_posts[0]["attached"] == attached


def test_a_photo_upload_that_fails_is_continued_not_repeated(fake_graph, account, car_photos):
    fake_graph.script("POST", "/111/photos", Reply(body={"id": "501"}), Reply(status=504, raw=b""))
    fake_graph.unpublished_photos.add("501")
    post = _post(car_photos, "facebook")

    first = publishing.publish_post(post_id=post.pk)
    assert first.status == ScheduledPost.Status.PENDING  # an unpublished photo may be sent again
    second = publishing.publish_post(post_id=post.pk)

    assert second.status == ScheduledPost.Status.POSTED
    urls = [sent.params["url"] for sent in fake_graph.calls("POST", "/111/photos")]
    first_url = f"{PUBLIC_MEDIA_URL}{car_photos[0].lead_file.file.name}"
    assert urls.count(first_url) == 1  # the photo Meta already had is not uploaded again
    assert len(fake_graph.calls("POST", "/111/feed")) == 1


def test_a_lost_answer_to_the_feed_post_is_unconfirmed_and_not_sent_again(
    fake_graph, account, car_photos
):
    # Meta publishes the post, then a proxy answers a bare 504.
    fake_graph.script("POST", "/111/feed", Reply(status=504, raw=b"<html>504</html>", done=True))
    post = _post(car_photos, "facebook")

    result = publishing.publish_post(post_id=post.pk)
    again = publishing.publish_post(post_id=post.pk)

    assert result.status == ScheduledPost.Status.UNCONFIRMED
    assert again is None  # nobody sends an unconfirmed post again by itself
    assert len(fake_graph.calls("POST", "/111/feed")) == 1
    assert len(fake_graph.calls("POST", "/111/photos")) == 3
    assert [edge for edge, _ in fake_graph.published] == ["feed"]


def test_instagram_carousel_makes_children_in_order_then_one_carousel_post(
    fake_graph, account, car_photos
):
    post = _post(car_photos, "instagram")

    result = publishing.publish_post(post_id=post.pk)

    assert result.status == ScheduledPost.Status.POSTED
    children = fake_graph.calls("POST", "/17841400000000001/media")[:3]
    assert [sent.params["image_url"] for sent in children] == [
        f"{PUBLIC_MEDIA_URL}{item.lead_file.file.name}" for item in car_photos
    ]
    assert all(sent.params["is_carousel_item"] == "true" for sent in children)
    assert all("caption" not in sent.params for sent in children)
    carousel = fake_graph.calls("POST", "/17841400000000001/media")[3]
    assert carousel.params["media_type"] == "CAROUSEL"
    assert carousel.params["children"] == ",".join(
        result.external_state["children"][str(item.lead_file.pk)] for item in car_photos
    )
    assert carousel.params["caption"].startswith("2021 Civic, 3 photos")
    assert len(fake_graph.calls("POST", "/media_publish")) == 1
    assert fake_graph.ig_quota["quota_usage"] == 1  # a carousel is one post of the quota


def test_a_carousel_with_a_failing_child_fails_whole_naming_the_item(
    fake_graph, account, car_photos
):
    fake_graph.failing_children = [car_photos[1].lead_file.file.name]
    post = _post(car_photos, "instagram")

    result = publishing.publish_post(post_id=post.pk)

    assert result.status == ScheduledPost.Status.FAILED
    assert "“Civic photo 2” (item 2)" in result.last_error
    assert "nothing went out" in result.last_error
    assert fake_graph.calls("POST", "/media_publish") == []
    carousels = [
        sent
        for sent in fake_graph.calls("POST", "/17841400000000001/media")
        if sent.params.get("media_type") == "CAROUSEL"
    ]
    assert carousels == []
    assert fake_graph.published == []


def test_a_carousel_with_a_video_waits_for_it_without_holding_a_worker(
    fake_graph, account, sunrise, car_photos
):
    video = MediaContentFactory(
        organization=sunrise,
        title="Walk-around",
        media_type=MediaContent.MediaType.VIDEO,
        width=1080,
        height=1350,
    )
    fake_graph.video_polls_in_progress = 1
    post = _post([car_photos[0], video], "instagram")

    first = publishing.publish_post(post_id=post.pk)
    assert first.status == ScheduledPost.Status.PENDING  # the video child is still preparing
    second = publishing.publish_post(post_id=post.pk)

    assert second.status == ScheduledPost.Status.POSTED
    children = [
        sent
        for sent in fake_graph.calls("POST", "/17841400000000001/media")
        if sent.params.get("is_carousel_item") == "true"
    ]
    assert len(children) == 2  # made once; the retry only read their status
    assert children[1].params["media_type"] == "VIDEO"
    assert len(fake_graph.calls("POST", "/media_publish")) == 1
