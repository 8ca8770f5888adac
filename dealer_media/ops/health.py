"""``/health/``: is this web host able to serve dealers? Database, cache, storage, broker.

Cheap by design: one ``SELECT 1``, one cache set and get, one small file written,
read and deleted, and one broker connection opened (not a round trip through a
worker, so a busy or stopped worker does not take the web hosts out of a load
balancer). 200 when all pass, 500 naming the failing check otherwise; JSON with
``Accept: application/json`` or ``?format=json``, plain text with ``text/plain``.

Load balancers probe by IP address and plain HTTP: :class:`HealthCheckMiddleware`
answers ``/health/`` before Django's host validation (CommonMiddleware) and sessions,
and ``SECURE_REDIRECT_EXEMPT`` keeps it off the HTTPS redirect. The answer builds no
URL from the Host header, so accepting any host here is safe.
"""

import dataclasses
import datetime
import os
from collections.abc import Callable

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from dealer_media.celery import app as celery_app

PATH = "/health/"
# Without the slash too: APPEND_SLASH's redirect would need an allowed Host.
PATHS = frozenset({PATH, PATH.rstrip("/")})


@dataclasses.dataclass
class Broker(HealthCheck):
    """Opens (and closes) a connection to the Celery broker; no worker is involved."""

    timeout = datetime.timedelta(seconds=3)

    def __repr__(self) -> str:
        return f"Broker(transport={self._transport_name()!r})"

    def _transport_name(self) -> str:
        scheme = str(celery_app.conf.broker_url or "amqp://").split("://", 1)[0]
        return scheme or "amqp"

    def run(self) -> None:
        connect_timeout = self.timeout.total_seconds()
        try:
            with celery_app.connection_for_write(connect_timeout=connect_timeout) as connection:
                connection.ensure_connection(max_retries=0, timeout=connect_timeout)
                if connection.transport.driver_type == "filesystem":
                    self._check_folders(connection.transport_options)
        except ServiceUnavailable:
            raise
        except Exception as error:  # kombu raises many kinds; the detail goes to the log only
            raise ServiceUnavailable(
                f"cannot connect to the Celery broker ({type(error).__name__})"
            ) from error

    @staticmethod
    def _check_folders(options: dict) -> None:
        """The filesystem broker "connects" to anything: its folders must be writable."""
        for key in ("data_folder_in", "data_folder_out"):
            folder = options.get(key)
            if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
                raise ServiceUnavailable(f"the broker's {key} folder is missing or read-only")


class HealthView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
        Broker,
    )
    template_name = "health/status.html"


health = HealthView.as_view()


class HealthCheckMiddleware:
    """Answers ``/health/`` whatever the Host header, before sessions and sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in PATHS:
            return self.get_response(request)
        response = async_to_sync(health)(request)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
