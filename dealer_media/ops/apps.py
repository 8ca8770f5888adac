from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dealer_media.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import request_id

        request_id.connect_celery_signals()
