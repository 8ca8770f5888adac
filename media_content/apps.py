from django.apps import AppConfig


class MediaContentConfig(AppConfig):
    name = "media_content"
    verbose_name = "Media library"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deploy check of media serving
            receivers,  # noqa: F401 - listens to the file library
        )
        from .processing import signals  # noqa: F401 - connects the file clean-up handlers
