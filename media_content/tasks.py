"""Thin tasks of the posts; each takes ids and calls a service."""

import datetime

from celery import shared_task
from django.conf import settings

from media_content import lifecycle


@shared_task
def archive_old_posted_media() -> int:
    return lifecycle.archive_old_posted_media(
        older_than=datetime.timedelta(days=settings.MEDIA_ARCHIVE_POSTED_AFTER_DAYS)
    )
