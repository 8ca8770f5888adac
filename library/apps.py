from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "File library"

    def ready(self) -> None:
        from .processing import (
            renditions,  # noqa: F401 - registers the file's own rendition kinds (display, catalog)
            signals,  # noqa: F401 - connects the file clean-up handlers
        )
