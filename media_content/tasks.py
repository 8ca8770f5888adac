import datetime
import logging

from celery import Task, shared_task
from django.conf import settings

from library.processing import ProcessingFailed
from library.processing import services as processing

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


@shared_task(acks_late=False)
def requeue_stale_processing() -> int:
    """The processing sweep: items whose worker died or whose message was lost, sent again."""
    return processing.requeue_stale_processing()


@shared_task
def archive_old_posted_media() -> int:
    return lifecycle.archive_old_posted_media(
        older_than=datetime.timedelta(days=settings.MEDIA_ARCHIVE_POSTED_AFTER_DAYS)
    )


class ProcessingTask(Task):
    """When the last retry fails too, the item says so: processing failed, with the reason."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        media_id = args[0] if args else kwargs.get("media_id")
        if media_id is not None:
            processing.media_mark_failed(
                media_id=media_id,
                reason=f"Processing stopped on an unexpected error ({type(exc).__name__}: {exc}).",
            )


# reject_on_worker_lost: a pool process that dies mid-way puts the message back in the
# queue. Running it again is safe: media_process works only under its claim (lease.py),
# so a delivery while the dead process's lease still runs does nothing, one after it ran
# out processes the item once, and MAX_PROCESSING_ATTEMPTS stops a file that kills every
# worker it meets. Recovery of a claimed item is the processing sweep's job (within
# lease + sweep interval); this keeps the message of a process that died before its claim.
# A whole worker killed leaves its message unacknowledged in Redis until the visibility
# timeout (1 h): the sweep has sent the item again long before.
@shared_task(
    base=ProcessingTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ProcessingFailed,),
    max_retries=3,
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    soft_time_limit=300,
    time_limit=360,
)
def process_media(media_id: int) -> None:
    """Metadata and thumbnails of a new or replaced file; bounded retries, then 'failed'."""
    try:
        processing.media_process(media_id=media_id)
    except ProcessingFailed as error:
        # The row already says why; a corrupt file does not get better by retrying.
        logger.info("Media %s cannot be processed: %s", media_id, error.message)


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=5)
def regenerate_video_thumbnail(title: str, org_id: int, thumbnail_url: str) -> None:
    """Redraw a video's placeholder thumbnail with its new title (never a real frame)."""
    processing.placeholder_regenerate(
        title=title, organization_id=org_id, thumbnail_url=thumbnail_url
    )


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=5)
def make_rendition(media_id: int, spec: str) -> None:
    """A derived file on request (e.g. the Instagram-ready JPEG); made once per spec."""
    processing.rendition_make(media_id=media_id, spec=spec)


# Tasks declared elsewhere in the app, imported so that workers register them.
from .uploads import tasks as _upload_tasks  # noqa: E402, F401
