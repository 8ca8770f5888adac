"""Approval before a post goes out: submit, approve, send back, and edits after approval.

A post waiting for approval has its posts ``held`` (one per destination, at the
time asked for): the publisher claims only ``pending|queued`` posts, the
dispatcher only ``pending`` ones, and a database check keeps a held post free of
any claim, so nothing waiting is ever sent. Approving turns held posts into
pending ones at their time, or at the next posting time when that has passed
while the post waited; sending back cancels them. Every step is an
``ApprovalStep`` (who, when, comment): the trail shown in the item's history.

Whose posts need approval is the dealership's ``approval_policy``; who may
approve is ``tenancy.roles`` (``Action.APPROVE``). The status writes (held,
pending, cancelled; waiting, scheduled, draft) are ``approval_lifecycle``'s.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from dealer_media.tenancy.models import Membership, Organization
from dealer_media.tenancy.roles import Action, may, require

from . import approval_lifecycle, lifecycle
from .models import ApprovalStep, MediaContent

logger = logging.getLogger(__name__)

Kind = ApprovalStep.Kind
Policy = Organization.ApprovalPolicy


def needs_approval(*, by: Membership) -> bool:
    """Whether this member's posts wait for an approver before they go out."""
    if by.role == Membership.Role.OWNER:
        return False
    if by.role == Membership.Role.CONTRIBUTOR:
        return True  # contributors never schedule; with approval off they only draft
    return by.organization.approval_policy == Policy.ALL_BUT_OWNERS


def next_posting_time(*, organization: Organization, now: datetime.datetime) -> datetime.datetime:
    """When an approved post whose time has passed goes out: at once.

    The dealership has no posting slots yet; when it does, this is where the next
    one is found.
    """
    return now


def approvers(*, organization: Organization) -> QuerySet[Membership]:
    """Owners, and editors unless their own posts need approval."""
    roles = [Membership.Role.OWNER]
    if organization.editors_approve:
        roles.append(Membership.Role.EDITOR)
    return Membership.objects.filter(organization=organization, role__in=roles).select_related(
        "user"
    )


def waiting_for_approval(*, organization: Organization) -> QuerySet[MediaContent]:
    return MediaContent.objects.for_org(organization).filter(status=MediaContent.Status.WAITING)


def _step(media: MediaContent, kind: str, by: Membership | None, **fields) -> ApprovalStep:
    return ApprovalStep.objects.create(
        organization_id=media.organization_id,
        media=media,
        kind=kind,
        by=by.user if by is not None and by.user_id else None,
        **fields,
    )


def _locked(media: MediaContent) -> MediaContent:
    return MediaContent.objects.select_for_update().select_related("organization").get(pk=media.pk)


@transaction.atomic
def approval_submit(
    *, by: Membership, media: MediaContent, when: datetime.datetime | None, base_url: str
) -> MediaContent:
    """Ask for approval of a draft, to go out at ``when`` (None: as soon as approved)."""
    require(by, Action.SUBMIT_FOR_APPROVAL)
    media = _locked(media)
    if not needs_approval(by=by) or (
        by.role == Membership.Role.CONTRIBUTOR and media.organization.approval_policy == Policy.OFF
    ):
        if by.role == Membership.Role.CONTRIBUTOR:
            raise ValidationError(
                f"{media.organization.name} does not use approval: save your draft, and an "
                "editor or owner schedules it."
            )
        raise ValidationError("Your posts need no approval: schedule it instead.")
    if media.status not in (MediaContent.Status.DRAFT, MediaContent.Status.WAITING):
        raise ValidationError("Only a draft can be submitted for approval.")
    if not media.destinations:
        raise ValidationError(
            {
                "destinations": "Choose at least one destination: Facebook, Instagram or Website banner."
            }
        )
    approval_lifecycle.media_submit_for_approval(media=media, when=when)
    _step(media, Kind.SUBMITTED, by, scheduled_for=when)
    _notify_approvers(media, by=by, base_url=base_url, edited=False)
    return media


@transaction.atomic
def approval_approve(*, by: Membership, media: MediaContent) -> MediaContent:
    """The held posts become pending: at their time, or the next posting time if it passed."""
    require(by, Action.APPROVE)
    media = _locked(media)
    if media.status != MediaContent.Status.WAITING:
        raise ValidationError("This post is not waiting for approval.")
    now = timezone.now()
    wanted = media.scheduled_post_time
    when = (
        wanted
        if wanted and wanted > now
        else next_posting_time(organization=media.organization, now=now)
    )
    ids = approval_lifecycle.media_approve(media=media, when=when)
    _step(media, Kind.APPROVED, by, scheduled_for=when)
    if when <= now:
        lifecycle.send_due_posts(ids)
    else:
        lifecycle.wake_dispatcher_if_soon(when=when)
    return media


@transaction.atomic
def approval_send_back(
    *, by: Membership, media: MediaContent, comment: str, base_url: str
) -> MediaContent:
    """Back to a draft with the approver's comment; the held posts are cancelled."""
    require(by, Action.APPROVE)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "Say what should change, so the author can fix it."})
    media = _locked(media)
    if media.status != MediaContent.Status.WAITING:
        raise ValidationError("This post is not waiting for approval.")
    approval_lifecycle.media_send_back(media=media)
    step = _step(media, Kind.SENT_BACK, by, comment=comment)
    _notify_author(media, step=step, base_url=base_url)
    return media


def media_edited(*, by: Membership, media: MediaContent, was: str, base_url: str) -> None:
    """After an edit (in the same transaction as it): approval follows the change.

    - waiting: its held posts follow the new destinations (checked again);
    - approved and not gone out, edited by someone who may not approve: its
      unstarted posts are held again and it waits for approval once more. An
      approver's own edit keeps the approval (the edit is in the trail).
    """
    media = _locked(media)
    if was == MediaContent.Status.WAITING and media.status == MediaContent.Status.WAITING:
        approval_lifecycle.hold_deliveries(
            media=media, when=media.scheduled_post_time or timezone.now()
        )
        _step(media, Kind.EDITED, by)
        return
    approved = (
        media.approval_steps.order_by("-created_at", "-id").values_list("kind", flat=True).first()
        == Kind.APPROVED
    )
    if was != MediaContent.Status.SCHEDULED or not approved:
        return
    if may(by, Action.APPROVE):
        _step(media, Kind.EDITED, by)
        return
    if not approval_lifecycle.media_hold_again(media=media):
        return  # everything has gone out already
    _step(media, Kind.RESUBMITTED, by, scheduled_for=media.scheduled_post_time)
    _notify_approvers(media, by=by, base_url=base_url, edited=True)


# --- Notices --------------------------------------------------------------------


def _item_url(media: MediaContent, base_url: str) -> str:
    from django.urls import reverse

    return base_url.rstrip("/") + reverse("media_content:approval", args=[media.pk])


def _notify_approvers(media: MediaContent, *, by: Membership, base_url: str, edited: bool) -> None:
    recipients = sorted(
        {
            m.user.email
            for m in approvers(organization=media.organization)
            if m.user.email and m.user_id != by.user_id
        }
    )
    if not recipients:
        return
    context = {
        "media": media,
        "by": by.user,
        "edited": edited,
        "url": _item_url(media, base_url),
        "organization": media.organization,
    }
    subject = f"Waiting for your approval: “{media.title}” ({media.organization.name})"
    body = render_to_string("emails/approval_requested.txt", context)
    transaction.on_commit(lambda: _send(subject, body, recipients))


def _notify_author(media: MediaContent, *, step: ApprovalStep, base_url: str) -> None:
    submitted = media.approval_steps.filter(kind=Kind.SUBMITTED).select_related("by").last()
    author = submitted.by if submitted else media.created_by
    if author is None or not author.email:
        return
    context = {"media": media, "step": step, "url": _item_url(media, base_url)}
    subject = f"Sent back: “{media.title}” ({media.organization.name})"
    body = render_to_string("emails/approval_sent_back.txt", context)
    transaction.on_commit(lambda: _send(subject, body, [author.email]))


def _send(subject: str, body: str, recipients: list[str]) -> None:
    """A mail server that is down is logged; the approval itself stands."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        logger.exception("Could not send the approval email %r.", subject)
