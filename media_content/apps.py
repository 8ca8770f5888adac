from django.apps import AppConfig


class MediaContentConfig(AppConfig):
    name = "media_content"
    verbose_name = "Media library"

    def ready(self) -> None:
        # The posts' rendition kinds register after the library's (display, catalog), the
        # Instagram copy's before the ribbon's (receivers imports ribbons): a delivery's
        # renditions are listed in the kinds' order.
        from . import (
            instagram_copies,  # noqa: F401 - registers the Instagram copy's kind
            receivers,  # noqa: F401 - listens to the file library and the dealership's brand
            ribbons,  # noqa: F401 - registers the ribbon's kind
        )
