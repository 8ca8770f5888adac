"""Thin tasks: each takes ids and calls a service."""

import logging

from celery import shared_task

from . import health, notifications, services, settling

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def post_media_task(
    org_id: int,
    message: str,
    media_url: str,
    title: str,
    media_content_id: int | None,
    post_to_instagram: bool,
    media_type: str,
) -> list[int]:
    """Post a media item to Facebook (and Instagram when asked), one ScheduledPost each.

    The seed passed the message and URL in; they are recomputed from the media
    item instead (title + description + link; a fresh presigned URL), so a late
    or repeated delivery never sends stale text or an expired URL. A repeated
    delivery creates no second post: a destination with a live post keeps it.
    Answers the ids of the posts created.
    """
    return services.post_media_now(
        organization_id=org_id,
        media_content_id=media_content_id,
        destinations=["facebook", "instagram"] if post_to_instagram else ["facebook"],
    )


@shared_task
def poll_pending_posts() -> int:
    return settling.poll_pending_posts()


@shared_task
def check_connections() -> int:
    return health.check_due_connections()


@shared_task
def refresh_instagram_tokens() -> int:
    return health.refresh_instagram_tokens()


@shared_task(acks_late=True)
def email_reconnect_needed(kind: str, connection_id: int) -> bool:
    return notifications.email_reconnect_needed(kind=kind, connection_id=connection_id)
