"""Posts whose outcome is unknown: settled from Meta where Meta can tell, else by staff.

Instagram can tell: a container reads PUBLISHED once published, or FINISHED if it never
was, and the account's media lists what went out. Facebook can tell about a video whose
finish answer was lost, through the video id the start phase gave. The rest a person
settles in the admin, and the dealer's library says "Needs a check" with their Page.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from media_content.models import ScheduledPost
from publishing.tasks import publish_scheduled_post
from social import services, settling

from ..factories import MediaContentFactory, ScheduledPostFactory
from .fake_graph import PROXY_504, Reply

pytestmark = pytest.mark.django_db

IG = "17841400000000001"


def _publish(post, capture) -> ScheduledPost:
    with capture(execute=True):
        publish_scheduled_post.delay(post.pk)
    post.refresh_from_db()
    return post


def _lost_publish_answer(fake_graph) -> None:
    """Meta publishes the container, and the answer is lost behind a proxy's 504."""
    fake_graph.script("POST", "/media_publish", Reply(status=504, raw=PROXY_504, done=True))


def test_an_unconfirmed_instagram_post_whose_container_is_published_becomes_posted(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    _lost_publish_answer(fake_graph)
    post = _publish(
        ScheduledPostFactory(media_content=photo, destination="instagram"),
        django_capture_on_commit_callbacks,
    )
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    [(_, media_id)] = fake_graph.published
    with django_capture_on_commit_callbacks(execute=True):
        settling.refresh_media_destinations(media=photo)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_id == media_id
    assert post.external_url == f"https://instagram.test/p/{media_id}"
    assert len(fake_graph.calls("POST", "/media_publish")) == 1


def test_an_unconfirmed_instagram_post_never_published_is_sent_again_once(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    # The 504 came back and Meta did nothing: the container stays FINISHED.
    fake_graph.script("POST", "/media_publish", Reply(status=504, raw=PROXY_504))
    post = _publish(
        ScheduledPostFactory(media_content=photo, destination="instagram"),
        django_capture_on_commit_callbacks,
    )
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert fake_graph.published == []
    with django_capture_on_commit_callbacks(execute=True):
        settling.refresh_media_destinations(media=photo)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert [edge for edge, _ in fake_graph.published] == ["media_publish"]
    # The same container was published: no second container was made.
    assert len(fake_graph.calls("POST", f"/{IG}/media")) == 1


def test_without_a_container_the_accounts_media_since_the_send_tells(
    fake_graph, account, photo, django_capture_on_commit_callbacks
):
    _lost_publish_answer(fake_graph)
    post = _publish(
        ScheduledPostFactory(media_content=photo, destination="instagram"),
        django_capture_on_commit_callbacks,
    )
    # Say the container id was never saved: only the account's media can tell now.
    ScheduledPost.objects.filter(pk=post.pk).update(external_state={})
    with django_capture_on_commit_callbacks(execute=True):
        settling.settle_unconfirmed_instagram(
            post=ScheduledPost.objects.get(pk=post.pk),
            account=account,
            client=services.GraphClient(account.get_token()),
        )
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_url.startswith("https://instagram.test/p/")


def test_a_facebook_video_whose_finish_answer_was_lost_is_checked_by_its_id(
    fake_graph, account, sunrise, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_URL = "/media/"  # local file: the resumable upload
    video = MediaContentFactory(
        organization=sunrise,
        media_type="video",
        post_to_facebook=True,
        facebook_video_format="video",
        file=ContentFile(bytes(range(256)) * 4, name="clip.mp4"),
    )
    # start and the transfers answer; Meta finishes the upload, and its answer is lost.
    fake_graph.script_phase("finish", Reply(status=502, raw=PROXY_504, done=True))
    post = ScheduledPostFactory(media_content=video, destination="facebook")
    post = _publish(post, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    assert post.external_state["fb_started_video_id"] == "v1000"
    with django_capture_on_commit_callbacks(execute=True):
        settling.refresh_media_destinations(media=video)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_url == "https://www.facebook.com/111/videos/v1000"
    finishes = [
        r
        for r in fake_graph.calls("POST", "/111/videos")
        if r.params.get("upload_phase") == "finish"
    ]
    assert len(finishes) == 1


# --- What Meta cannot tell: staff settle it -------------------------------------


@pytest.fixture
def unconfirmed(fake_graph, account, photo, django_capture_on_commit_callbacks):
    fake_graph.script("POST", "/111/photos", Reply(status=504, raw=PROXY_504, done=True))
    post = _publish(
        ScheduledPostFactory(media_content=photo, destination="facebook"),
        django_capture_on_commit_callbacks,
    )
    assert post.status == ScheduledPost.Status.UNCONFIRMED
    return post


def test_the_library_says_needs_a_check_with_a_link_to_the_page(sunrise_client, unconfirmed):
    page = sunrise_client.get("/marketing/media").content.decode()
    assert "Facebook: Needs a check" in page
    assert 'href="https://www.facebook.com/111"' in page
    assert "cannot tell whether it was published" in page


def test_staff_mark_an_unconfirmed_post_as_posted_with_its_link(
    client, superuser, unconfirmed, photo
):
    client.force_login(superuser)
    url = reverse("admin:media_content_scheduledpost_changelist")
    chosen = {"action": "mark_posted", "_selected_action": [unconfirmed.pk]}
    form = client.post(url, chosen)
    assert form.status_code == 200
    assert "Link to the published post" in form.content.decode()
    done = client.post(
        url, {**chosen, "apply": "1", "external_url": "https://www.facebook.com/111/posts/9"}
    )
    assert done.status_code == 302
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == ScheduledPost.Status.POSTED
    assert unconfirmed.external_url == "https://www.facebook.com/111/posts/9"


def test_staff_mark_an_unconfirmed_post_as_not_posted_and_it_goes_out_once_more(
    client, superuser, unconfirmed, fake_graph, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    url = reverse("admin:media_content_scheduledpost_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            url, {"action": "mark_not_posted", "_selected_action": [unconfirmed.pk]}
        )
    assert answer.status_code == 302
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("POST", "/111/photos")) == 2  # the lost one, and this one


def test_only_unconfirmed_posts_can_be_marked(client, superuser, photo):
    client.force_login(superuser)
    from django.utils import timezone

    posted = ScheduledPostFactory(
        media_content=photo, status=ScheduledPost.Status.POSTED, posted_at=timezone.now()
    )
    url = reverse("admin:media_content_scheduledpost_changelist")
    answer = client.post(
        url, {"action": "mark_not_posted", "_selected_action": [posted.pk]}, follow=True
    )
    assert "only unconfirmed posts can be marked" in answer.content.decode()
    posted.refresh_from_db()
    assert posted.status == ScheduledPost.Status.POSTED
