"""Errors to Sentry, only when SENTRY_DSN is set, with every token scrubbed first.

``send_default_pii`` stays off (no cookies, no user, no request bodies from the SDK),
and :func:`scrub_event` runs on every event before it leaves: values under keys that
name a secret (Authorization, cookies, the Page token fields) are replaced, and every
string goes through the Graph client's scrubber (``social.graph.scrub``: access_token
parameters, Bearer/OAuth headers, anything shaped like a Meta token).
"""

from typing import Any

FILTERED = "[Filtered]"
# A key containing any of these names a secret: Authorization, Cookie, X-CSRFToken,
# access_token (the admin's Page token field), token_encrypted, client_secret, ...
SECRET_KEY_PARTS = (
    "authorization",
    "cookie",
    "csrf",
    "session",
    "token",
    "secret",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "signature",
    "encryption_key",
)
_MAX_DEPTH = 30


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and any(part in key.lower() for part in SECRET_KEY_PARTS)


def scrub_value(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` with secret-named keys filtered and tokens cut out of strings."""
    from social.graph import scrub

    if depth > _MAX_DEPTH:
        return FILTERED
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {
            key: FILTERED if _is_secret_key(key) else scrub_value(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        # Sentry sends headers and query strings as [name, value] pairs too.
        if len(value) == 2 and _is_secret_key(value[0]):
            return [value[0], FILTERED]
        return [scrub_value(item, depth + 1) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send (and before_send_transaction); tags the event with the request id."""
    from .request_id import get_request_id

    scrubbed = scrub_value(event)
    request_id = get_request_id()
    if request_id:
        scrubbed.setdefault("tags", {})["request_id"] = request_id
    return scrubbed


def init_sentry(
    *, dsn: str, environment: str = "", release: str = "", traces_sample_rate: float = 0.0
) -> bool:
    """Turns sentry-sdk on for Django and Celery when a DSN is given; True when it did."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
    )
    return True
