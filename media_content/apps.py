from django.apps import AppConfig


class MediaContentConfig(AppConfig):
    name = "media_content"
    verbose_name = "Media library"

    def ready(self) -> None:
        # The kinds register in import order (display and catalog, then Instagram, then the
        # ribbon: receivers imports ribbons), the order a delivery's renditions are listed in.
        from . import (
            checks,  # noqa: F401 - registers the deploy check of media serving
            instagram_copies,  # noqa: F401 - registers the Instagram copy's kind
            receivers,  # noqa: F401 - listens to the file library and the dealership's brand
            ribbons,  # noqa: F401 - registers the ribbon's kind
        )
        from .processing import (
            renditions,  # noqa: F401 - registers its rendition kinds (display, catalog)
            signals,  # noqa: F401 - connects the file clean-up handlers
        )
