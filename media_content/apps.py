from django.apps import AppConfig


class MediaContentConfig(AppConfig):
    name = "media_content"
    verbose_name = "Media library"

    def ready(self) -> None:
        from .processing import signals  # noqa: F401 - connects the file clean-up handlers
