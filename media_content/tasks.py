from celery import shared_task

from . import publishing


@shared_task(acks_late=True)
def publish_scheduled_post(post_id: int) -> None:
    publishing.publish_post(post_id=post_id)


@shared_task
def delete_expired_uploads() -> int:
    """Periodic (django-celery-beat): remove tus uploads abandoned past their expiry."""
    from .uploads.services import delete_expired_uploads as delete_expired

    return delete_expired()
