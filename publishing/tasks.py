"""Thin tasks of the publishing engine; each takes ids and calls a service.

Their names are the ones they were first registered under: queued messages and the
periodic tasks stored in the database name them so.
"""

import datetime

from celery import shared_task

from publishing import dispatch, engine, unconfirmed


# reject_on_worker_lost: when a pool process dies mid-task (SIGKILL, out of memory) the
# message goes back to the queue instead of being acknowledged. Safe here because a run
# does nothing unless it wins publishing.publish_post's claim (pending|queued →
# publishing): a post the dead process had claimed is left to
# mark_stale_publishing_unconfirmed (unconfirmed if a request was sent), one it had
# finished is posted, and one it had not yet claimed is published once by the new run.
@shared_task(
    name="media_content.tasks.publish_scheduled_post", acks_late=True, reject_on_worker_lost=True
)
def publish_scheduled_post(post_id: int) -> None:
    engine.publish_post(post_id=post_id)


@shared_task(name="media_content.tasks.dispatch_due_posts", acks_late=False)
def dispatch_due_posts() -> dict:
    """The sweep (publishing/dispatch.py), sent by beat and, at each posting time, by the
    sweep before; a lost one is replaced by the next."""
    report = dispatch.dispatch_due_posts()
    wakes_at = report.wakes_at.isoformat() if report.wakes_at else None
    return {
        "claimed": report.claimed,
        "sent": report.sent,
        "released": report.released,
        "wakes_at": wakes_at,
    }


@shared_task(name="media_content.tasks.mark_stale_publishing_unconfirmed")
def mark_stale_publishing_unconfirmed() -> int:
    """Posts stuck in "publishing" (their worker died): unconfirmed if sent, else pending again."""
    older_than = datetime.timedelta(seconds=unconfirmed.STALE_AFTER_SECONDS)
    return unconfirmed.mark_stale_publishing_unconfirmed(older_than=older_than)
