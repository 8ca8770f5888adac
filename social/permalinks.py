"""Permalinks read after the fact, many at once: publishing never waits for a link.

Meta's answer to a Facebook post names it (``post_id`` for a photo, ``id`` for a feed
post) and ``facebook.com/{post id}`` leads to it, so the publisher records that link at
once. An Instagram media id makes no link (a permalink's short code is not the id), so
an Instagram post has none until it is read; the history says "link coming". Either way
the publisher leaves ``external_state["permalink"] = "wanted"``, and the periodic
:func:`fill_permalinks` reads the real links in batches:

- Facebook: one multi-id read per Page for up to ``IDS_PER_READ`` posts,
  ``GET /?ids=a,b,c&fields=permalink_url`` (Graph API, "Multiple ID Read Requests").
  Meta refuses the whole request when one of the ids cannot be read (a post deleted
  since: "(#803) Some of the aliases you requested do not exist"), so a refused batch
  is read again in halves until the one it cannot read is alone.
- Instagram: one read of the account's newest media, ``GET /{ig-user-id}/media?fields=
  id,permalink``, the same on the Facebook and the Instagram Login hosts.

A link not found in ``MAX_TRIES`` reads (or refused as many times) is given up:
``permalink`` says "unavailable", and the post keeps the link it had (Facebook) or none.
"""

import datetime
import logging
from collections import defaultdict

from django.utils import timezone

from media_content.delivery_lifecycle import record_link
from media_content.models import Destination, ScheduledPost

from .graph import GraphClient, GraphError, Kind
from .models import InstagramLogin, MetaConnection, SocialAccount

# What a publisher leaves in a posted delivery's external_state when its link is to be read.
LINK_WANTED = {"permalink": "wanted"}
# Ids in one multi-id read (Meta accepts up to 50).
IDS_PER_READ = 50
# The newest media of an Instagram account read at once (more than a day's publishing limit).
INSTAGRAM_MEDIA_PER_READ = 100
# Reads of a link that came back without it before it is given up.
MAX_TRIES = 3
# Posts claimed longer ago than this are no longer looked after.
LOOK_AFTER = datetime.timedelta(days=2)
# Posts read per run; a run at the peak leaves the rest to the next one.
POSTS_PER_RUN = 500

logger = logging.getLogger(__name__)


def fill_permalinks(*, limit: int = POSTS_PER_RUN) -> int:
    """Periodic: read the permalinks of posted deliveries that want one. Answers how many
    were filled. One request per Page or Instagram account (per 50 Facebook posts)."""
    now = timezone.now()
    posts = list(
        ScheduledPost.objects.filter(
            status=ScheduledPost.Status.POSTED,
            claimed_at__gte=now - LOOK_AFTER,
            external_state__permalink=LINK_WANTED["permalink"],
        )
        .exclude(external_id="")
        .order_by("claimed_at")[:limit]
    )
    groups: dict[tuple[int, str], list[ScheduledPost]] = defaultdict(list)
    for post in posts:
        groups[(post.organization_id, post.destination)].append(post)
    connections = _connections({organization for organization, _ in groups})
    filled = 0
    for (organization, destination), group in groups.items():
        connection = connections.get((organization, destination))
        if connection is None or not connection.is_usable:
            for post in group:  # cannot be read now: a try, so they never crowd out others
                _record(post, None)
            continue
        client = GraphClient(
            connection.get_token(),
            network="Instagram" if destination == Destination.INSTAGRAM else "Facebook",
            instagram_login=isinstance(connection, InstagramLogin),
        )
        try:
            if destination == Destination.INSTAGRAM:
                links = _instagram_links(client, connection.instagram_account_id)
            else:
                links = _facebook_links(client, [post.external_id for post in group])
        except GraphError as error:
            logger.warning("Permalinks of %r not read: %s", connection, error.message)
            if error.retryable:
                continue  # Meta said nothing about the posts: the next run asks again
            links = {}
        for post in group:
            filled += _record(post, links.get(post.external_id))
    return filled


def _connections(organizations: set[int]) -> dict[tuple[int, str], MetaConnection]:
    """Each dealership's connection per destination, as its publishers choose them: an
    Instagram Login for Instagram when it has one, else the Page's linked account."""
    found: dict[tuple[int, str], MetaConnection] = {}
    for account in SocialAccount.objects.filter(organization_id__in=organizations):
        found[(account.organization_id, Destination.FACEBOOK)] = account
        found[(account.organization_id, Destination.INSTAGRAM)] = account
    for login in InstagramLogin.objects.filter(organization_id__in=organizations):
        found[(login.organization_id, Destination.INSTAGRAM)] = login
    return found


def _facebook_links(client: GraphClient, ids: list[str]) -> dict[str, str]:
    links: dict[str, str] = {}
    for start in range(0, len(ids), IDS_PER_READ):
        links.update(_read_ids(client, ids[start : start + IDS_PER_READ]))
    return links


def _read_ids(client: GraphClient, ids: list[str]) -> dict[str, str]:
    """``GET /?ids=…&fields=permalink_url``; a refused batch is read again in halves."""
    try:
        answer = client.get("", ids=",".join(ids), fields="permalink_url")
    except GraphError as error:
        if error.kind != Kind.REJECTED:
            raise
        if len(ids) == 1:
            return {}  # this one cannot be read: it counts as a try
        half = len(ids) // 2
        return {**_read_ids(client, ids[:half]), **_read_ids(client, ids[half:])}
    return {
        object_id: str(node["permalink_url"])
        for object_id, node in answer.items()
        if isinstance(node, dict) and node.get("permalink_url")
    }


def _instagram_links(client: GraphClient, ig_user_id: str) -> dict[str, str]:
    if not ig_user_id:  # the Page has no Instagram account linked any more
        return {}
    answer = client.get(
        f"{ig_user_id}/media", fields="id,permalink", limit=INSTAGRAM_MEDIA_PER_READ
    )
    return {
        str(item["id"]): str(item["permalink"])
        for item in answer.get("data") or []
        if item.get("id") and item.get("permalink")
    }


def _record(post: ScheduledPost, url: str | None) -> bool:
    """The link read, or one more try without it (given up after MAX_TRIES)."""
    state = {k: v for k, v in post.external_state.items() if k != "permalink_tries"}
    if url:
        record_link(delivery=post, external_url=url, external_state={**state, "permalink": "read"})
        return True
    tries = int(post.external_state.get("permalink_tries", 0)) + 1
    if tries >= MAX_TRIES:
        state["permalink"] = "unavailable"
    else:
        state["permalink_tries"] = tries
    record_link(delivery=post, external_state=state)
    return False
