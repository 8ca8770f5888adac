import datetime

from celery import shared_task
from django.conf import settings

from . import dispatch, publishing, scheduling


@shared_task(acks_late=True)
def publish_scheduled_post(post_id: int) -> None:
    publishing.publish_post(post_id=post_id)


@shared_task(acks_late=False)
def dispatch_due_posts() -> dict:
    """The periodic sweep (media_content/dispatch.py); a lost one is replaced by the next."""
    report = dispatch.dispatch_due_posts()
    return {"claimed": report.claimed, "sent": report.sent, "released": report.released}


@shared_task
def archive_old_posted_media() -> int:
    return scheduling.archive_old_posted_media(
        older_than=datetime.timedelta(days=settings.MEDIA_ARCHIVE_POSTED_AFTER_DAYS)
    )
