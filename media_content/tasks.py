from celery import shared_task

from . import publishing


@shared_task(acks_late=True)
def publish_scheduled_post(post_id: int) -> None:
    publishing.publish_post(post_id=post_id)


# Tasks declared elsewhere in the app, imported so that workers register them.
from .uploads import tasks as _upload_tasks  # noqa: E402, F401
