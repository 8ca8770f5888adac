from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class OpsConfig(AppConfig):
    name = "dealer_media.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from dealer_media.periodic import setup_after_migrate

        from . import request_id

        request_id.connect_celery_signals()
        # Sent once per migrate for django-celery-beat, whose tables hold the schedule.
        beat = apps.get_app_config("django_celery_beat")
        post_migrate.connect(setup_after_migrate, sender=beat, dispatch_uid="periodic_tasks")
