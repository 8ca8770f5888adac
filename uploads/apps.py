from django.apps import AppConfig


class UploadsConfig(AppConfig):
    """Resumable (tus) and form uploads: a file arrives, the library keeps it."""

    name = "uploads"
    verbose_name = "Uploads"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deploy check of uploads and media serving
