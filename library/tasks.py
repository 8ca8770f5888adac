"""The file library's Celery tasks: processing a file, its renditions, the processing sweep.

Each keeps the name it had when it lived in ``media_content.tasks``: messages
already queued, ``dealer_media.broker``'s names and the periodic tasks stored in
the database still reach it. Nothing imports this module but Celery (its
autodiscovery); services send these tasks by name through ``dealer_media.broker``.
"""

import logging

from celery import Task, shared_task

from .processing import ProcessingFailed
from .processing import services as processing

logger = logging.getLogger(__name__)


@shared_task(name="media_content.tasks.requeue_stale_processing", acks_late=False)
def requeue_stale_processing() -> int:
    """The processing sweep: items whose worker died or whose message was lost, sent again."""
    return processing.requeue_stale_processing()


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
    name="media_content.tasks.process_media",
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


@shared_task(
    name="media_content.tasks.regenerate_video_thumbnail",
    acks_late=True,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=5,
)
def regenerate_video_thumbnail(title: str, org_id: int, thumbnail_url: str) -> None:
    """Redraw a video's placeholder thumbnail with its new title (never a real frame)."""
    processing.placeholder_regenerate(
        title=title, organization_id=org_id, thumbnail_url=thumbnail_url
    )


@shared_task(
    name="media_content.tasks.make_rendition",
    acks_late=True,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=5,
)
def make_rendition(media_id: int, spec: str) -> None:
    """A derived file on request (e.g. the Instagram-ready JPEG); made once per spec."""
    processing.rendition_make(media_id=media_id, spec=spec)
