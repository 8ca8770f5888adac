from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = "Social accounts"

    def ready(self) -> None:
        from media_content.availability import answer_for_destinations

        from . import checks  # noqa: F401 - registers the deploy check
        from .selectors import destination_availability, profile_urls

        answer_for_destinations(states=destination_availability, profile_urls=profile_urls)
