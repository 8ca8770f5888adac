from celery import shared_task


@shared_task(name="media_content.uploads.tasks.delete_expired_uploads")
def delete_expired_uploads() -> int:
    """Periodic (django-celery-beat, hourly): remove tus uploads abandoned past their expiry."""
    from uploads.services import delete_expired_uploads as delete_expired

    return delete_expired()
