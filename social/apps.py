from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = "Social accounts"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deploy check
