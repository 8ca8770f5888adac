"""The Celery app, laid out as in Celery's "First steps with Django" guide."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealer_media.settings")

app = Celery("dealer_media")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Workers and beat log like the web server (settings.LOGGING: LOG_FORMAT, request ids)."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
