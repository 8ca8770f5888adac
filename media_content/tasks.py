import datetime
import logging

from celery import shared_task
from django.conf import settings

from . import dispatch, lifecycle, publishing, unconfirmed

logger = logging.getLogger(__name__)


# reject_on_worker_lost: when a pool process dies mid-task (SIGKILL, out of memory) the
# message goes back to the queue instead of being acknowledged. Safe here because a run
# does nothing unless it wins publishing.publish_post's claim (pending|queued →
# publishing): a post the dead process had claimed is left to
# mark_stale_publishing_unconfirmed (unconfirmed if a request was sent), one it had
# finished is posted, and one it had not yet claimed is published once by the new run.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def publish_scheduled_post(post_id: int) -> None:
    publishing.publish_post(post_id=post_id)


@shared_task(acks_late=False)
def dispatch_due_posts() -> dict:
    """The periodic sweep (media_content/dispatch.py); a lost one is replaced by the next."""
    report = dispatch.dispatch_due_posts()
    return {"claimed": report.claimed, "sent": report.sent, "released": report.released}


@shared_task
def mark_stale_publishing_unconfirmed() -> int:
    """Posts stuck in "publishing" (their worker died): unconfirmed if sent, else pending again."""
    older_than = datetime.timedelta(seconds=settings.PUBLISHING_STALE_SECONDS)
    return unconfirmed.mark_stale_publishing_unconfirmed(older_than=older_than)


@shared_task
def archive_old_posted_media() -> int:
    return lifecycle.archive_old_posted_media(
        older_than=datetime.timedelta(days=settings.MEDIA_ARCHIVE_POSTED_AFTER_DAYS)
    )


# Tasks declared elsewhere in the app, imported so that workers register them.
from .uploads import tasks as _upload_tasks  # noqa: E402, F401
