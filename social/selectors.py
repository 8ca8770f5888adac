"""What the portal asks about social publishing (badges, checkboxes, refresh answers)."""

import datetime

from django.db.models import CharField, Q, Value
from django.utils.dateparse import parse_datetime

from dealer_media.tenancy.models import Organization
from media_content.models import MediaContent, ScheduledPost

from . import services
from .models import InstagramLogin, MetaConnection, SocialAccount

SANDBOX_REASON = "Sandbox: posts are recorded here and not sent to Meta."


def _state_of(connection, *, network: str) -> dict:
    if connection.status == MetaConnection.Status.DISABLED:
        return {
            "state": "not_configured",
            "enabled": False,
            "reason": f"Posting to {network} is turned off for this dealership.",
        }
    if connection.status == MetaConnection.Status.NEEDS_RECONNECT or connection.token_expired:
        reason = connection.last_error or f"The {network} connection expired or was revoked."
        return {
            "state": "needs_reconnect",
            "enabled": False,
            "reason": f"{reason} An owner can reconnect it on the Connections page.",
        }
    return {"state": "connected", "enabled": True, "reason": ""}


def destination_availability(organization: Organization) -> dict[str, dict]:
    """Per social destination: ``state`` and a ``reason`` a dealer understands.

    ``state`` is "connected", "not_configured", "sandbox" or "needs_reconnect";
    ``enabled`` says whether the portal's checkbox can be ticked (connected or
    sandbox). The reason is empty when connected.
    """
    if services.sandbox_active():
        return {
            name: {"state": "sandbox", "enabled": True, "reason": SANDBOX_REASON}
            for name in ("facebook", "instagram")
        }
    account = services.account_for(organization=organization)
    if account is None or not account.has_token:
        facebook = {
            "state": "not_configured",
            "enabled": False,
            "reason": "No Facebook Page is connected; an owner can connect one on the "
            "Connections page.",
        }
    else:
        facebook = _state_of(account, network="Facebook")
    instagram_account = services.instagram_connection(organization=organization)
    if instagram_account is None or not instagram_account.has_token:
        instagram = {
            "state": "not_configured",
            "enabled": False,
            "reason": "No Instagram professional account is connected; link one to the "
            "Facebook Page, or connect it by Instagram Login on the Connections page.",
        }
    else:
        instagram = _state_of(instagram_account, network="Instagram")
    if instagram["enabled"] and not services.media_storage_is_public():
        instagram = {
            "state": "not_configured",
            "enabled": False,
            "reason": "Instagram cannot reach media stored on this server's disk; "
            "media must be on S3.",
        }
    return {"facebook": facebook, "instagram": instagram}


def destination_states(*, media: MediaContent) -> dict[str, dict]:
    """The latest post of each destination of an item, as the refresh endpoint answers it."""
    latest: dict[str, ScheduledPost] = {}
    for post in media.posts.order_by("created_at", "id"):
        if post.status != ScheduledPost.Status.CANCELLED:
            latest[post.destination] = post
    states = {}
    for destination, post in latest.items():
        state = post.external_state or {}
        states[destination] = {
            "post_id": post.pk,
            "status": post.status,
            "status_label": post.get_status_display(),
            "external_id": post.external_id,
            "external_url": post.external_url,
            "error": post.last_error,
            "attempts": post.attempts,
            "next_attempt_at": post.next_attempt_at.isoformat() if post.next_attempt_at else None,
            "container_status": state.get("container_status", ""),
            "video_status": state.get("fb_video_status", ""),
            "retryable": post.status == ScheduledPost.Status.FAILED,
            "sandbox": bool(state.get("sandbox")),
        }
    return states


def profile_urls(organization: Organization) -> dict[str, str]:
    """The dealership's Page and Instagram profile, by destination (none without an account)."""
    pages = (
        SocialAccount.objects.for_org(organization)
        .annotate(kind=Value("page", output_field=CharField()))
        .values_list("kind", "page_id", "instagram_username")
    )
    logins = (
        InstagramLogin.objects.for_org(organization)
        .annotate(kind=Value("login", output_field=CharField()))
        .values_list("kind", "instagram_user_id", "username")
    )
    urls: dict[str, str] = {}
    rows = sorted(pages.union(logins, all=True))  # "login" before "page": Instagram Login wins
    for kind, ident, username in reversed(rows):
        if kind == "page":
            urls.update(SocialAccount(page_id=ident, instagram_username=username).profile_urls)
        elif username:
            urls["instagram"] = InstagramLogin(username=username).profile_url
    return urls


def reels_sent_since(
    *, page_id: str, since: datetime.datetime, excluding: int | None = None
) -> list[datetime.datetime]:
    """When each Reel we sent to this Page since ``since`` went out, oldest first.

    Counts what Meta may have published, and places held by Reels on their way:
    posted, unconfirmed, being sent or checked; a Reel refused before it went out
    gives its place back (social.reels).
    """
    rows = (
        ScheduledPost.objects.exclude(pk=excluding)
        .filter(
            destination="facebook",
            external_state__fb_reel_page=page_id,
            status__in=[ScheduledPost.Status.POSTED, *ScheduledPost.LIVE_STATUSES],
        )
        .filter(Q(posted_at__isnull=True) | Q(posted_at__gte=since))
    )
    times = []
    for state in rows.values_list("external_state", flat=True):
        sent = parse_datetime(str((state or {}).get("fb_reel_sent_at") or ""))
        if sent is not None and sent >= since:
            times.append(sent)
    return sorted(times)


# Set in a post's external_state while it waits for room in Instagram's 24-hour
# publishing window (social/instagram_limit.py); emptied once a read shows room for it.
IG_WAITING_FOR_ROOM = "ig_waiting_for_room"


def instagram_sent_since(*, organization_id: int, since: datetime.datetime) -> list:
    """When this dealership's Instagram posts published since ``since`` went out, oldest
    first: the publishes in its account's window that we know of."""
    return list(
        ScheduledPost.objects.filter(
            organization_id=organization_id,
            destination="instagram",
            status=ScheduledPost.Status.POSTED,
            posted_at__gte=since,
        )
        .order_by("posted_at")
        .values_list("posted_at", flat=True)
    )


def instagram_waiting_ahead(*, post: ScheduledPost) -> int:
    """How many of this dealership's Instagram posts wait for room in the window before
    ``post`` (earlier in time, then in id): they take the slots that open first."""
    rows = (
        ScheduledPost.objects.filter(
            organization_id=post.organization_id,
            destination="instagram",
            status__in=[
                ScheduledPost.Status.PENDING,
                ScheduledPost.Status.QUEUED,
                ScheduledPost.Status.PUBLISHING,
            ],
            external_state__has_key=IG_WAITING_FOR_ROOM,
        )
        .exclude(pk=post.pk)
        .filter(
            Q(scheduled_time__lt=post.scheduled_time)
            | Q(scheduled_time=post.scheduled_time, pk__lt=post.pk)
        )
    )
    return sum(
        1
        for state in rows.values_list("external_state", flat=True)
        if (state or {}).get(IG_WAITING_FOR_ROOM)
    )
