"""Posts whose outcome is unknown: found by the stale sweep, settled by a person or by Meta.

A post left ``publishing`` by a silent worker, or answered by nothing that says
whether it went out, is ``unconfirmed``: never sent again by itself. It becomes
posted, failed, or pending again (sent once more) only here; the writes are
``delivery_lifecycle``'s.
"""

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from dealer_media import broker
from media_content.delivery_lifecycle import (
    mark_stale_deliveries_unconfirmed,
    release_stale_unsent_deliveries,
    settle_unconfirmed_delivery,
)
from media_content.lifecycle import media_refresh_status
from media_content.models import ScheduledPost

# A delivery left in publishing this long lost its worker (well above the Graph read timeout).
STALE_AFTER_SECONDS = 15 * 60

logger = logging.getLogger(__name__)

LOST_TRACK = (
    "We lost track of this post after sending it, so it may have been published. Check the "
    "page, then mark it posted or failed; it is not sent again by itself."
)


def mark_stale_publishing_unconfirmed(*, older_than: datetime.timedelta) -> int:
    """The periodic sweep: posts left ``publishing`` longer than ``older_than``.

    Those stamped by :func:`begin_send` may have been published: they become
    ``unconfirmed`` and are shown to a person. Those that never sent anything
    (the worker died before) go back to ``pending`` and are enqueued again.
    Answers the number marked unconfirmed. ``older_than`` must be longer than a
    Graph request can take (FACEBOOK_GRAPH_READ_TIMEOUT).
    """
    cutoff = timezone.now() - older_than
    stale = ScheduledPost.objects.filter(
        status=ScheduledPost.Status.PUBLISHING, claimed_at__lte=cutoff
    )
    now = timezone.now()
    with transaction.atomic():
        unconfirmed_ids = list(
            stale.filter(send_started_at__isnull=False).values_list("pk", flat=True)
        )
        marked = mark_stale_deliveries_unconfirmed(
            ids=unconfirmed_ids, claimed_before=cutoff, reason=LOST_TRACK, now=now
        )
        released_ids = list(stale.filter(send_started_at__isnull=True).values_list("pk", flat=True))
        release_stale_unsent_deliveries(ids=released_ids, claimed_before=cutoff, now=now)
        for post_id in released_ids:
            broker.send_on_commit(broker.PUBLISH_POST, post_id)
        for post in ScheduledPost.objects.filter(
            pk__in=unconfirmed_ids, media_content__isnull=False
        ).select_related("media_content"):
            media_refresh_status(media=post.media_content)
    if marked:
        logger.warning("%s post(s) marked unconfirmed after their worker went silent.", marked)
    return marked


@transaction.atomic
def resolve_unconfirmed(
    *,
    post: ScheduledPost,
    posted: bool,
    external_url: str = "",
    external_id: str = "",
    reason: str = "",
) -> bool:
    """A person checked the page, or Meta answered: the unconfirmed post was published
    (with its id and link when known), or it was not (``reason`` says why, in words)."""
    if not posted:
        return settle_unconfirmed_delivery(
            delivery=post,
            status=ScheduledPost.Status.FAILED,
            last_error=reason or "Checked by a person: it was not published.",
        )
    fields: dict[str, Any] = {"posted_at": timezone.now(), "last_error": ""}
    if external_url:
        fields["external_url"] = external_url
    if external_id:
        fields["external_id"] = external_id
    return settle_unconfirmed_delivery(delivery=post, status=ScheduledPost.Status.POSTED, **fields)


@transaction.atomic
def send_unconfirmed_again(*, post: ScheduledPost, reason: str) -> bool:
    """It was not published (a person checked, or Meta says so): send it again, under a claim.

    Progress is kept: an Instagram container already made is published, not made again.
    """
    changed = settle_unconfirmed_delivery(
        delivery=post,
        status=ScheduledPost.Status.PENDING,
        send_started_at=None,
        next_attempt_at=None,
        last_error=reason,
    )
    if changed:
        broker.send_on_commit(broker.PUBLISH_POST, post.pk)
    return changed
