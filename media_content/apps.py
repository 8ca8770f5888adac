from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MediaContentConfig(AppConfig):
    name = "media_content"
    verbose_name = "Media library"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deploy check of media serving
            receivers,  # noqa: F401 - listens to the file library
        )
        from .periodic import setup_after_migrate
        from .processing import signals  # noqa: F401 - connects the file clean-up handlers

        post_migrate.connect(setup_after_migrate, sender=self, dispatch_uid="media_periodic_tasks")
