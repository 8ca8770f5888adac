"""Publishing one ScheduledPost, once, through the publisher of its destination.

The post moves by compare-and-set UPDATEs (see ScheduledPost's state machine):
only the worker whose UPDATE changed the row publishes, so a duplicated
message or a retried task can never send a post twice.
"""

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledPost

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishResult:
    external_id: str
    external_url: str = ""


class PublishError(Exception):
    """A publishing failure, in words a dealer understands.

    ``permanent`` failures are not retried (a rejected file, a dead token).
    """

    def __init__(self, message: str, *, permanent: bool = True):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Publisher(Protocol):
    label: str

    def publish(self, post: ScheduledPost) -> PublishResult: ...


def get_publisher(destination: str) -> Publisher:
    return import_string(settings.PUBLISHERS[destination])()


def publish_post(*, post_id: int) -> ScheduledPost | None:
    """Publish one post if, and only if, this call wins the claim on it."""
    now = timezone.now()
    won = ScheduledPost.objects.filter(
        pk=post_id,
        status__in=[ScheduledPost.Status.PENDING, ScheduledPost.Status.QUEUED],
    ).update(status=ScheduledPost.Status.PUBLISHING, claimed_at=now, updated_at=now)
    if not won:
        logger.info("Post %s is not pending any more; not publishing it again.", post_id)
        return None
    post = ScheduledPost.objects.select_related("media_content", "organization").get(pk=post_id)
    ScheduledPost.objects.filter(pk=post_id).update(attempts=post.attempts + 1)
    post.attempts += 1
    try:
        result = get_publisher(post.destination).publish(post)
    except PublishError as error:
        _finish(post, status=ScheduledPost.Status.FAILED, last_error=error.message)
    except Exception:
        logger.exception("Publishing post %s crashed.", post_id)
        _finish(
            post,
            status=ScheduledPost.Status.FAILED,
            last_error="Publishing stopped on an unexpected error; our team has been told.",
        )
    else:
        _finish(
            post,
            status=ScheduledPost.Status.POSTED,
            external_id=result.external_id,
            external_url=result.external_url,
            posted_at=timezone.now(),
            last_error="",
        )
    post.refresh_from_db()
    return post


@transaction.atomic
def _finish(post: ScheduledPost, *, status: str, **fields) -> None:
    from .services import media_refresh_status

    ScheduledPost.objects.filter(pk=post.pk, status=ScheduledPost.Status.PUBLISHING).update(
        status=status, updated_at=timezone.now(), **fields
    )
    if post.media_content_id:
        media_refresh_status(media=post.media_content)
