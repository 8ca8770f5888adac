"""A draft goes out: posted now or at a time, through approval where the role needs it.

The portal's "Post now" and "Schedule" on any draft (an upload saved as a draft,
an inventory rule in draft mode, the inventory page's Post, a Reel) come here.
Who may send it without approval is ``approval.needs_approval``; the moves of
the post and its deliveries are ``lifecycle``'s and ``approval``'s.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dealer_media.tenancy.models import Membership, Organization
from dealer_media.tenancy.roles import Action, may

from . import approval, lifecycle
from .models import MediaContent

MAY_GO_OUT = (MediaContent.Status.DRAFT, MediaContent.Status.SCHEDULED, MediaContent.Status.FAILED)


class CannotGoOut(Exception):
    """The post is not one that can be sent now (waiting, posted, archived): in words, 409."""


@dataclass(frozen=True)
class Outcome:
    media: MediaContent
    held: bool  # waiting for an approver
    now: bool = False

    @property
    def message(self) -> str:
        if self.held:
            return f"“{self.media.title}” is waiting for approval."
        if self.now:
            return f"“{self.media.title}” is being posted."
        return f"“{self.media.title}” is scheduled."


def _check(media: MediaContent) -> None:
    if media.status == MediaContent.Status.WAITING:
        raise CannotGoOut(
            f"“{media.title}” is waiting for approval: an approver sends it, or sends it back."
        )
    if media.status not in MAY_GO_OUT:
        raise CannotGoOut(
            f"“{media.title}” has gone out ({media.get_status_display().lower()}). "
            "Duplicate it to post it again."
        )
    if not media.destinations:
        raise ValidationError(
            {
                "destinations": "Choose at least one destination: Facebook, Instagram or "
                "Website banner."
            }
        )


def _send(
    *, by: Membership, media: MediaContent, when: datetime.datetime | None, base_url: str
) -> Outcome:
    _check(media)
    if approval.needs_approval(by=by):
        media = approval.approval_submit(by=by, media=media, when=when, base_url=base_url)
        return Outcome(media=media, held=True)
    if not may(by, Action.PUBLISH):
        raise PermissionDenied("Your role cannot post or schedule; save it as a draft.")
    if when is None:
        lifecycle.media_publish_now(media=media)
    else:
        lifecycle.media_reschedule(media=media, when=when)
    media.refresh_from_db()
    return Outcome(media=media, held=False, now=when is None)


def post_now(*, by: Membership, media: MediaContent, base_url: str) -> Outcome:
    """Post the draft now (held for an approver when the role needs one)."""
    return _send(by=by, media=media, when=None, base_url=base_url)


def post_schedule(
    *, by: Membership, media: MediaContent, when: datetime.datetime, base_url: str
) -> Outcome:
    """Schedule the draft at ``when`` (aware, in the future)."""
    if when <= timezone.now():
        raise ValidationError({"scheduled_time": "That time has passed: pick a later one."})
    return _send(by=by, media=media, when=when, base_url=base_url)


def next_queue_time(*, organization: Organization, now: datetime.datetime) -> datetime.datetime:
    """The next of the dealership's posting times (the inventory's, for now)."""
    from inventory.posting_times import next_posting_time
    from inventory.rules import posting_times_for

    return next_posting_time(
        posting_times=posting_times_for(organization=organization),
        tz=organization.tzinfo,
        now=now,
    )
