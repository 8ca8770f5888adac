"""Thin tasks: each takes ids and calls a service."""

import logging

from celery import shared_task

from . import health, notifications, permalinks, settling

logger = logging.getLogger(__name__)


@shared_task
def poll_pending_posts() -> int:
    return settling.poll_pending_posts()


@shared_task
def fill_permalinks() -> int:
    return permalinks.fill_permalinks()


@shared_task
def check_connections() -> int:
    return health.check_due_connections()


@shared_task
def refresh_instagram_tokens() -> int:
    return health.refresh_instagram_tokens()


@shared_task(acks_late=True)
def email_reconnect_needed(kind: str, connection_id: int) -> bool:
    return notifications.email_reconnect_needed(kind=kind, connection_id=connection_id)
