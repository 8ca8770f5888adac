"""The project's URLs plus the request-id probe (tests/ops/probe.py)."""

from django.urls import path

from dealer_media.urls import urlpatterns as project_urlpatterns

from .probe import enqueue

urlpatterns = [*project_urlpatterns, path("ops-probe/", enqueue)]
