"""Settling posts Meta is still working on, or whose outcome we lost: read, never resend.

An Instagram container or a Facebook video in progress is asked about (read-only);
when ready, its post becomes due and is published under its own claim. An
unconfirmed post is settled by what Meta reads of it. The periodic poll and the
portal's Refresh both come here.
"""

import datetime
import logging

from django.utils import timezone

from dealer_media import broker
from media_content.models import Destination, MediaContent, ScheduledPost

from .graph import GraphClient, GraphError, Kind
from .models import InstagramLogin, MetaConnection, SocialAccount
from .services import (
    account_for,
    account_mark_needs_reconnect,
    compose_message,
    instagram_connection,
    sandbox_active,
)

logger = logging.getLogger(__name__)


def refresh_media_destinations(*, media: MediaContent) -> None:
    """Check Instagram containers and Facebook videos still in progress, right now.

    Read-only requests only: when Meta says a container is ready (or failed),
    the post's next attempt becomes due at once and its task is enqueued, so
    the publishing itself still happens under a claim. An unconfirmed Facebook
    video or Reel (its finish answer lost, or it outlived the status checks) is
    settled by what Meta reads of it (``settle_unconfirmed_video``).
    """
    from media_content.models import ScheduledPost

    if sandbox_active():
        return
    account = account_for(organization=media.organization_id)
    instagram = instagram_connection(organization=media.organization_id)
    clients = {
        Destination.FACEBOOK: _client_of(account, network="Facebook"),
        Destination.INSTAGRAM: _client_of(instagram, network="Instagram"),
    }
    waiting = media.posts.filter(
        status__in=[ScheduledPost.Status.PENDING, ScheduledPost.Status.UNCONFIRMED],
        destination__in=[d for d, client in clients.items() if client is not None],
    )
    for post in waiting:
        client = clients[post.destination]
        connection = instagram if post.destination == Destination.INSTAGRAM else account
        state = post.external_state or {}
        video_id = state.get("fb_video_id") or (
            state.get("fb_started_video_id")
            if post.status == ScheduledPost.Status.UNCONFIRMED
            else ""
        )
        try:
            if (
                post.status == ScheduledPost.Status.UNCONFIRMED
                and post.destination == Destination.INSTAGRAM
            ):
                settle_unconfirmed_instagram(post=post, account=connection, client=client)
            elif state.get("container_id") and post.status == ScheduledPost.Status.PENDING:
                code = client.get(state["container_id"], fields="status_code").get(
                    "status_code", ""
                )
                ScheduledPost.objects.filter(pk=post.pk).update(
                    external_state={**state, "container_status": code}
                )
                if code != "IN_PROGRESS":
                    _make_due(post)
            elif video_id and post.status == ScheduledPost.Status.UNCONFIRMED:
                settle_unconfirmed_video(post=post, account=account, client=client)
            elif video_id:
                status = client.get(video_id, fields="status").get("status") or {}
                video_status = status.get("video_status", "")
                ScheduledPost.objects.filter(pk=post.pk).update(
                    external_state={**state, "fb_video_status": video_status}
                )
                if video_status != "processing":
                    _make_due(post)
        except GraphError as error:
            if error.kind == Kind.TOKEN:
                from .health import reconnect_reason

                account_mark_needs_reconnect(
                    account=connection, message=reconnect_reason(error, connection=connection)
                )
                return
            logger.info("Refresh of post %s: %s", post.pk, error.message)


def _client_of(connection: MetaConnection | None, *, network: str) -> GraphClient | None:
    if connection is None or not connection.is_usable:
        return None
    return GraphClient(
        connection.get_token(),
        network=network,
        instagram_login=isinstance(connection, InstagramLogin),
    )


def video_outcome(status: dict, *, reel: bool) -> tuple[str, str]:
    """What a video's ``status`` says happened: ``("posted" | "failed" | "waiting", words)``.

    ``GET /{video-id}?fields=status`` answers ``video_status`` (``ready``, ``processing``,
    ``upload_complete``, ``error``, ``expired``...) and, for Reels and resumable uploads,
    ``uploading_phase``, ``processing_phase`` and ``publishing_phase``, each with a
    ``status`` (``not_started``, ``in_progress``, ``complete``, ``error``) and, on error,
    ``errors`` (Reels Publishing API, "Get the status"). Published: the publishing phase
    complete (``publish_status`` published, when given), or ready with no phase saying
    otherwise. Failed: an error status or phase, with Meta's messages. Else not yet.
    """
    video_status = str(status.get("video_status") or "")
    phases = {
        name: status.get(name) if isinstance(status.get(name), dict) else {}
        for name in ("uploading_phase", "processing_phase", "publishing_phase")
    }
    failed = [name for name, phase in phases.items() if phase.get("status") == "error"]
    if video_status in ("error", "expired") or failed:
        messages = [
            str(error["message"])
            for name in failed
            for error in (phases[name].get("errors") or [])
            if isinstance(error, dict) and error.get("message")
        ]
        said = f" Facebook says: {' '.join(messages)}" if messages else ""
        if reel:
            return "failed", f"Facebook could not publish the Reel.{said}"
        return "failed", f"Facebook could not process the video (status “{video_status}”).{said}"
    publishing = phases["publishing_phase"]
    if publishing.get("status") == "complete":
        published = publishing.get("publish_status", "published") == "published"
        return ("posted", "") if published else ("waiting", "")
    if video_status == "ready" and publishing.get("status") in (None, "complete"):
        return "posted", ""
    return "waiting", ""


def settle_unconfirmed_video(*, post, account: SocialAccount, client: GraphClient) -> str:
    """Ask Facebook what became of a video or Reel whose publishing answer was lost.

    By the id its start phase gave (``fb_started_video_id``; ``fb_video_id`` once the
    finish answered): published, it is posted with that id and its link; failed, it
    fails with Meta's words; uploading or processing, it stays unconfirmed for a later
    poll. Reads only: nothing is ever sent again from here. Answers what was decided.
    """
    from publishing.unconfirmed import resolve_unconfirmed

    state = post.external_state or {}
    video_id = state.get("fb_video_id") or state.get("fb_started_video_id") or ""
    status = client.get(video_id, fields="status").get("status") or {}
    outcome, words = video_outcome(status, reel=bool(state.get("fb_reel")))
    state = {**state, "fb_video_status": str(status.get("video_status") or "")}
    if outcome == "failed":  # nothing went out: a person's retry starts over, as in facebook.py
        state["fb_video_id"] = ""
        if state.get("fb_reel"):
            state["fb_reel_sent_at"] = ""  # and the Reel gives back its place (social.reels)
    ScheduledPost.objects.filter(pk=post.pk, status=ScheduledPost.Status.UNCONFIRMED).update(
        external_state=state
    )
    if outcome == "posted":
        url = (
            f"https://www.facebook.com/reel/{video_id}"
            if state.get("fb_reel")
            else f"https://www.facebook.com/{account.page_id}/videos/{video_id}"
        )
        resolve_unconfirmed(post=post, posted=True, external_url=url, external_id=video_id)
    elif outcome == "failed":
        resolve_unconfirmed(post=post, posted=False, reason=words)
    return outcome


def settle_unconfirmed_instagram(*, post, account: SocialAccount, client: GraphClient) -> str:
    """Ask Instagram what became of a post whose publishing answer was lost.

    Its container reads PUBLISHED, or the account's media since the send holds it:
    posted, with its permalink. The container reads FINISHED (ready, never
    published): nothing went out, so it is sent again under a new claim. Anything
    else stays unconfirmed for a person. Answers what was decided.
    """
    from publishing.unconfirmed import resolve_unconfirmed, send_unconfirmed_again

    container_id = (post.external_state or {}).get("container_id", "")
    code = ""
    if container_id:
        code = client.get(container_id, fields="status_code").get("status_code", "")
    found = _instagram_media_since(post=post, account=account, client=client)
    if code == "PUBLISHED" or found:
        if found:
            ScheduledPost.objects.filter(pk=post.pk).update(external_id=found["id"])
        resolve_unconfirmed(post=post, posted=True, external_url=(found or {}).get("permalink", ""))
        return "posted"
    if code == "FINISHED":
        send_unconfirmed_again(
            post=post,
            reason="Instagram says the prepared post was never published; sending it again.",
        )
        return "sent_again"
    return "unconfirmed"


def _instagram_media_since(*, post, account: SocialAccount, client: GraphClient) -> dict | None:
    """The account's newest media published since the send, with this post's caption."""

    since = post.send_started_at or post.updated_at
    caption = (
        compose_message(media=post.media_content, network="instagram")
        if post.media_content
        else None
    )
    answer = client.get(
        f"{account.instagram_account_id}/media", fields="id,caption,permalink,timestamp", limit=25
    )
    for item in answer.get("data") or []:
        try:
            published = datetime.datetime.strptime(item.get("timestamp", ""), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            continue
        # Meta's timestamps have whole seconds: allow for the one the send started in.
        if published >= since - datetime.timedelta(seconds=1) and item.get("caption") == caption:
            return item
    return None


def _make_due(post) -> None:
    """Due at once, and its task sent after the commit: the engine publishes it under a claim."""
    from django.db import transaction

    from media_content.models import ScheduledPost

    with transaction.atomic():
        if ScheduledPost.objects.filter(pk=post.pk, status=ScheduledPost.Status.PENDING).update(
            next_attempt_at=timezone.now()
        ):
            broker.send_on_commit(broker.PUBLISH_POST, post.pk)


def poll_pending_posts(*, limit: int = 200) -> int:
    """Periodic: ask Meta about every container or video still in progress.

    That includes an unconfirmed Facebook video or Reel known only by the id its
    start phase gave (``fb_started_video_id``: its finish answer was lost). Answers
    how many media items were checked. Each check only reads; a post that became
    ready is published under its own claim by its task, an unconfirmed one is
    settled by what Meta reads (``refresh_media_destinations``).
    """
    from django.db.models import Q

    from media_content.models import ScheduledPost

    waiting = (
        ScheduledPost.objects.filter(
            status__in=[ScheduledPost.Status.PENDING, ScheduledPost.Status.UNCONFIRMED],
            media_content__isnull=False,
        )
        .filter(
            Q(external_state__has_key="container_id")
            | Q(external_state__has_key="fb_video_id")
            | Q(
                status=ScheduledPost.Status.UNCONFIRMED,
                external_state__has_key="fb_started_video_id",
            )
        )
        .values_list("media_content_id", flat=True)
        .distinct()
    )
    media_ids = list(waiting[:limit])
    for media in MediaContent.objects.filter(pk__in=media_ids).select_related("organization"):
        refresh_media_destinations(media=media)
    return len(media_ids)
