from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """The engine that sends deliveries through each destination's publisher."""

    name = "publishing"
    verbose_name = "Publishing"
