"""Permalinks read after the fact, in batches, against the fake Graph API over HTTP.

Publishing never waits for a link: a Facebook post's link is known from Meta's answer
(``facebook.com/{post id}``), an Instagram post has none until read. The periodic
``fill_permalinks`` reads them: one multi-id read per Page, one read of the newest
media per Instagram account.
"""

import datetime

import pytest
from django.utils import timezone

from dealer_media.queues import DEFAULT, ROUTES
from media_content.models import ScheduledPost
from publishing import engine as publishing
from social import permalinks
from social.models import SocialAccount

from ..factories import MediaContentFactory, ScheduledPostFactory
from .fake_graph import graph_error

pytestmark = pytest.mark.django_db


def posted(sunrise, destination: str, count: int) -> list[ScheduledPost]:
    posts = []
    for number in range(count):
        media = MediaContentFactory(organization=sunrise, title=f"Truck {number}")
        post = ScheduledPostFactory(media_content=media, destination=destination)
        posts.append(publishing.publish_post(post_id=post.pk))
    assert {post.status for post in posts} == {ScheduledPost.Status.POSTED}
    return posts


def reads(fake_graph) -> list:
    return [r for r in fake_graph.requests if r.method == "GET"]


def stored(posts: list[ScheduledPost]) -> list[tuple[str, str]]:
    rows = ScheduledPost.objects.filter(pk__in=[p.pk for p in posts]).order_by("pk")
    return [(row.external_url, row.external_state.get("permalink", "")) for row in rows]


def test_a_pages_new_posts_are_read_in_one_request(fake_graph, account, sunrise):
    posts = posted(sunrise, "facebook", 3)
    assert reads(fake_graph) == []  # publishing read nothing
    ids = [post.external_id for post in posts]
    assert stored(posts) == [(f"https://www.facebook.com/{i}", "wanted") for i in ids]

    assert permalinks.fill_permalinks() == 3

    [read] = reads(fake_graph)
    assert read.path == "/v24.0/"
    assert read.params["ids"] == ",".join(ids)
    assert read.params["fields"] == "permalink_url"
    assert stored(posts) == [(f"https://facebook.test/{i}", "read") for i in ids]
    assert permalinks.fill_permalinks() == 0
    assert len(reads(fake_graph)) == 1  # nothing left to read


def test_a_deleted_post_is_found_by_halves_and_given_up_after_three_tries(
    fake_graph, account, sunrise
):
    """Meta refuses the whole multi-id read for one id it cannot read: the batch is read
    again in halves, the others get their link, the deleted one keeps the one it had."""
    first, deleted, last = posted(sunrise, "facebook", 3)
    fake_graph.delete_post(deleted.external_id)

    assert permalinks.fill_permalinks() == 2

    asked = [r.params["ids"].split(",") for r in reads(fake_graph)]
    ids = [first.external_id, deleted.external_id, last.external_id]
    assert asked == [ids, ids[:1], ids[1:], ids[1:2], ids[2:]]
    assert stored([first, deleted, last]) == [
        (f"https://facebook.test/{ids[0]}", "read"),
        (f"https://www.facebook.com/{ids[1]}", "wanted"),
        (f"https://facebook.test/{ids[2]}", "read"),
    ]
    permalinks.fill_permalinks()
    permalinks.fill_permalinks()
    assert stored([deleted]) == [(f"https://www.facebook.com/{ids[1]}", "unavailable")]
    assert len(reads(fake_graph)) == 7  # one read of it alone per run
    permalinks.fill_permalinks()
    assert len(reads(fake_graph)) == 7


def test_more_than_fifty_posts_of_a_page_take_a_read_per_fifty(fake_graph, account, sunrise):
    posted(sunrise, "facebook", 3)
    for number in range(49):
        ScheduledPostFactory(
            media_content=MediaContentFactory(organization=sunrise, title=f"Van {number}"),
            destination="facebook",
        )
    for post in ScheduledPost.objects.filter(status=ScheduledPost.Status.PENDING):
        publishing.publish_post(post_id=post.pk)

    assert permalinks.fill_permalinks() == 52

    assert [len(r.params["ids"].split(",")) for r in reads(fake_graph)] == [50, 2]


def test_a_temporary_error_leaves_the_links_wanted_without_a_try(fake_graph, account, sunrise):
    [post] = posted(sunrise, "facebook", 1)
    fake_graph.script("GET", "/v24.0/", graph_error(2, "Service temporarily unavailable"))

    assert permalinks.fill_permalinks() == 0

    row = ScheduledPost.objects.get(pk=post.pk)
    assert row.external_state["permalink"] == "wanted"
    assert "permalink_tries" not in row.external_state
    assert permalinks.fill_permalinks() == 1


def test_a_page_that_cannot_be_read_now_counts_a_try_without_a_request(
    fake_graph, account, sunrise
):
    """Its posts must not stay first in line, crowding out those that can be read."""
    [post] = posted(sunrise, "facebook", 1)
    account.status = SocialAccount.Status.NEEDS_RECONNECT
    account.save()

    assert permalinks.fill_permalinks() == 0

    assert reads(fake_graph) == []
    assert ScheduledPost.objects.get(pk=post.pk).external_state["permalink_tries"] == 1


def test_instagram_links_come_from_the_accounts_newest_media(
    fake_graph, account, sunrise, sunrise_client
):
    posts = posted(sunrise, "instagram", 2)
    before = len(reads(fake_graph))  # the limit and the containers' status, read to publish
    media_ids = tuple(f"/{post.external_id}" for post in posts)
    assert [r for r in reads(fake_graph) if r.path.endswith(media_ids)] == []
    assert stored(posts) == [("", "wanted"), ("", "wanted")]
    history = sunrise_client.get("/marketing/history").content.decode()
    assert history.count("link coming") == 2

    assert permalinks.fill_permalinks() == 2

    [read] = reads(fake_graph)[before:]
    assert read.path == "/v24.0/17841400000000001/media"
    assert read.params["fields"] == "id,permalink"
    assert stored(posts) == [
        (f"https://instagram.test/p/{post.external_id}", "read") for post in posts
    ]
    history = sunrise_client.get("/marketing/history").content.decode()
    assert "link coming" not in history
    assert f'href="https://instagram.test/p/{posts[0].external_id}"' in history


def test_posts_older_than_two_days_are_no_longer_looked_after(
    fake_graph, account, sunrise, time_machine
):
    posted(sunrise, "facebook", 1)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=2, minutes=1))
    assert permalinks.fill_permalinks() == 0
    assert reads(fake_graph) == []


def test_the_links_are_read_every_minute_off_the_publishing_pool():
    from django_celery_beat.models import PeriodicTask

    job = PeriodicTask.objects.get(task="social.tasks.fill_permalinks")
    assert (job.interval.every, job.interval.period, job.expire_seconds) == (60, "seconds", 60)
    assert ROUTES["social.tasks.fill_permalinks"] == DEFAULT
