"""The Celery app, laid out as in Celery's "First steps with Django" guide."""

import logging
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealer_media.settings")

app = Celery("dealer_media")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(loglevel: int | None = None, **kwargs) -> None:
    """Workers and beat log like the web server (settings.LOGGING: LOG_FORMAT, request ids).

    The command's ``--loglevel`` sets Celery's own lines (a task received, succeeded),
    never below ``LOG_LEVEL``; the app's loggers follow ``LOG_LEVEL``. The publishing
    worker runs at WARNING: two lines per post at the peak serve nobody, and its
    failures and the app's warnings still show.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    if loglevel is not None:
        root = logging.getLogger()
        logging.getLogger("celery").setLevel(max(int(loglevel), root.getEffectiveLevel()))
