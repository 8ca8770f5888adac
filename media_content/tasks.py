from celery import shared_task

from . import publishing


@shared_task(acks_late=True)
def publish_scheduled_post(post_id: int) -> None:
    publishing.publish_post(post_id=post_id)
