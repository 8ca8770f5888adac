"""The Celery app, laid out as in Celery's "First steps with Django" guide."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealer_media.settings")

app = Celery("dealer_media")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
