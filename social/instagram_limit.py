"""Instagram's publishing limit: a moving window of posts by apps per account, as Meta reads it.

``GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config`` answers
``{"data": [{"quota_usage": 2, "config": {"quota_total": 50, "quota_duration": 86400}}]}``
(IG User Content Publishing Limit reference); ``quota_total`` is used as read, never
a constant. Past it, Meta refuses ``media_publish`` with code 9 / subcode 2207042:
"The app user has reached their daily publishing limit. Advise the app's user to try
again the following day" (IG error codes). Publishing into a full window again and
again risks a longer restriction of the account, so:

- the quota is read before a container is made, and before any ``media_publish``
  retried after a 2207042;
- a post that finds no room waits (``PublishError`` with ``retry_after``, the engine's
  own retry) until the window has room for it: until the oldest publish in the window
  leaves it, known from our own posts (``selectors.instagram_sent_since``), or a whole
  ``quota_duration`` when that cannot be told;
- a refusal while the quota reads room also waits a whole window, and a read that fails
  waits ``SOCIAL_DAILY_LIMIT_WAIT_SECONDS``: nothing is published until a read shows room;
- a dealership's posts waiting for room take the slots one by one, in their order
  (``selectors.instagram_waiting_ahead``), so a slot that opens is not fought over.
"""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from media_content.models import ScheduledPost
from publishing.publisher import PublishError

from . import selectors
from .graph import GraphClient, GraphError


@dataclass(frozen=True)
class Quota:
    usage: int
    total: int | None  # None: Meta gave no config, so no limit is known
    duration: float  # seconds: the window

    @property
    def period(self) -> str:
        return wait_words(self.duration).removeprefix("about ")


def read_quota(client: GraphClient, ig_user_id: str) -> Quota:
    """The account's quota, read now (raises GraphError when Meta does not answer)."""
    answer = client.get(f"{ig_user_id}/content_publishing_limit", fields="quota_usage,config")
    data = (answer.get("data") or [{}])[0]
    config = data.get("config") or {}
    total = config.get("quota_total")
    return Quota(
        usage=int(data.get("quota_usage") or 0),
        total=int(total) if total is not None else None,
        duration=float(config.get("quota_duration") or 86400),
    )


def wait_words(seconds: float) -> str:
    minutes = max(1, math.ceil(max(seconds, 60.0) / 60))
    if minutes < 60:
        return f"about {minutes} minutes"
    hours = max(1, round(seconds / 3600))
    return f"about {hours} hour{'s' if hours > 1 else ''}"


def seconds_until_room(
    *, quota: Quota, sent: list[datetime.datetime], ahead: int, now: datetime.datetime
) -> float | None:
    """Seconds until the window has room for a post with ``ahead`` posts before it: 0 when
    it has now, None when our own posts cannot tell.

    Meta counts the newest ``usage`` publishes of the window. The post's slot opens when
    ``ahead + usage - total + 1`` of them have left, each ``duration`` after it went out.
    ``sent`` (our posts in the window, oldest first) may miss publishes made elsewhere:
    those are older than ours or among them, so waiting by ours is never too early.
    """
    if quota.total is None:
        return 0.0
    leaving = ahead + quota.usage - quota.total  # 0-based: the one whose leaving frees the slot
    if leaving < 0:
        return 0.0
    counted = sent[max(0, len(sent) - quota.usage) :]
    if leaving >= len(counted):
        return None
    leaves = counted[leaving] + datetime.timedelta(seconds=quota.duration)
    return max(1.0, (leaves - now).total_seconds())  # no room now: never 0


def room_or_wait(*, post: ScheduledPost, quota: Quota, refused: GraphError | None = None):
    """None when the window has room for ``post`` now; else the wait, in words.

    ``refused``: Meta's 2207042 just now. A post Meta refused never goes at once: if the
    quota reads room regardless, it waits a whole window.
    """
    if quota.total is None and refused is None:
        return None
    ahead = selectors.instagram_waiting_ahead(post=post)
    if refused is None and ahead < quota.total - quota.usage:
        return None  # room for this post and every one before it
    now = timezone.now()
    sent = selectors.instagram_sent_since(
        organization_id=post.organization_id,
        since=now - datetime.timedelta(seconds=quota.duration),
    )
    seconds = seconds_until_room(quota=quota, sent=sent, ahead=ahead, now=now)
    if refused is not None:
        said = _refusal(refused, period=quota.period)
        if quota.total is not None:
            said += (
                f" The account has used {quota.usage} of its {quota.total} posts by apps in "
                f"{quota.period}."
            )
    else:
        said = f"Instagram allows {quota.total} posts by apps in {quota.period} and this account "
        said += f"has used {quota.usage} of them, so nothing was sent."
    if seconds == 0.0:  # refused although the quota reads room: a whole window
        seconds = quota.duration
        when = f"It is tried again after a whole window, in {wait_words(seconds)}."
    elif seconds is None:
        seconds = quota.duration
        when = (
            "When the oldest of them leaves the window cannot be told from our own posts, so "
            f"it goes out after a whole window, in {wait_words(seconds)}."
        )
    elif ahead:
        posts = "1 post of this dealership waits" if ahead == 1 else f"{ahead} posts wait"
        when = (
            f"{posts} ahead of it; it goes out when the window has room for it, in "
            f"{wait_words(seconds)}."
        )
    else:
        when = f"It goes out when the oldest of them leaves the window, in {wait_words(seconds)}."
    return _wait(f"{said} {when}", seconds)


def unread(*, error: GraphError, refused: GraphError | None = None) -> PublishError:
    """The quota could not be read: ask again later, and publish nothing before."""
    seconds = max(settings.SOCIAL_DAILY_LIMIT_WAIT_SECONDS, error.retry_after or 0.0)
    said = "Instagram did not say how many posts the account has left"
    said += f" {error.suffix}" if error.suffix else ""
    if refused is not None:
        said = f"{_refusal(refused)} {said}"
    return _wait(f"{said}; we ask again in {wait_words(seconds)} and send nothing before.", seconds)


def _refusal(refused: GraphError, *, period: str = "") -> str:
    """Meta's 2207042, in words, with its own message and reference."""
    limit = f"its limit of posts by apps in {period}" if period else "its limit of posts by apps"
    return (
        f"Instagram refused the post because the account reached {limit}, so nothing was "
        f"published. {refused.suffix}".strip()
    )


def _wait(words: str, seconds: float) -> PublishError:
    return PublishError(
        words,
        permanent=False,
        retry_after=max(seconds, 60.0),
        retry_budget=("retries_daily_limit", settings.SOCIAL_DAILY_LIMIT_MAX_WAITS),
    )
