from celery import shared_task

from . import display


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=5)
def make_banner_display(banner_id: int) -> None:
    """The carousel's lighter copy of a banner image (banners/display.py)."""
    display.banner_display_make(banner_id=banner_id)


@shared_task(autoretry_for=(OSError,), max_retries=3, retry_backoff=5)
def flush_banner_counts() -> int:
    """Embed impressions and clicks counted in Redis, added to the database (periodic)."""
    from . import counting

    return counting.flush_counts()
