from django.apps import AppConfig


class MediaContentConfig(AppConfig):
    name = "media_content"
    verbose_name = "Media library"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deploy check of media serving
            instagram_copies,  # noqa: F401 - registers the Instagram copy's kind, before the ribbon's
            receivers,  # noqa: F401 - listens to the file library
        )
        from .processing import (
            renditions,  # noqa: F401 - registers its rendition kinds (display, catalog)
            ribbons,  # noqa: F401 - registers the ribbon's rendition kind
            signals,  # noqa: F401 - connects the file clean-up handlers
        )
