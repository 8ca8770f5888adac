"""Run with SENTRY_DSN set: a request that fails and a task that fails, both full of tokens.

``python -m tests.ops.sentry_probe`` (tests/ops/test_sentry.py points the DSN at a
local fake Sentry and reads what arrives).
"""

import io
import sys

import django

TOKEN = "EAAGm0PX4ZCpsBAKZAnotarealtokenZCZBZAZD"  # the shape of a Meta Page token


def main() -> None:
    django.setup()
    import sentry_sdk
    from celery import shared_task
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpRequest
    from django.test import override_settings
    from django.urls import path

    def boom(request: HttpRequest):
        token = TOKEN  # a local variable Sentry would show beside the frame
        raise RuntimeError(f"Graph refused access_token={token} for the Page")

    @shared_task(name="tests.ops.failing_publish")
    def failing_publish() -> None:
        headers = {"Authorization": f"OAuth {TOKEN}"}
        raise ValueError(f"Publishing failed with {headers}")

    urlconf = type("urls", (), {"urlpatterns": [path("boom/", boom)]})
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/boom/",
        "QUERY_STRING": f"access_token={TOKEN}&page=1",
        "SERVER_NAME": "dealers.example.com",
        "SERVER_PORT": "80",
        "HTTP_HOST": "dealers.example.com",
        "HTTP_AUTHORIZATION": f"Bearer {TOKEN}",
        "HTTP_COOKIE": f"sessionid=s3ss10n; csrftoken=c5rf; page_token={TOKEN}",
        "HTTP_X_CSRFTOKEN": "c5rf",
        "HTTP_X_REQUEST_ID": "probe-request-1",
        "REMOTE_ADDR": "203.0.113.9",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    with override_settings(ROOT_URLCONF=urlconf, ALLOWED_HOSTS=["dealers.example.com"]):
        # The real WSGI handler (which sentry-sdk wraps), as gunicorn calls it.
        get_wsgi_application()(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["500 Internal Server Error"], statuses
    failing_publish.apply()  # eager, as the tests run tasks; the Celery integration reports it
    sentry_sdk.flush(timeout=10)


if __name__ == "__main__":
    main()
