from django.apps import AppConfig


class MediaContentConfig(AppConfig):
    name = "media_content"
    verbose_name = "Media library"
