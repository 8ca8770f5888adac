"""Meta's rate limits: its usage headers and rate-limit errors slow down only what they concern.

Every Graph answer may carry usage headers (the rate-limit guide,
https://developers.facebook.com/docs/graph-api/overview/rate-limiting):

- ``X-App-Usage``: the app's usage, percentages: it concerns every post of the app;
- ``X-Page-Usage``: the Page of the token the call was made with;
- ``X-Business-Use-Case-Usage``: keyed by the business object's id (a Page, an Instagram
  account), each with its percentages and ``estimated_time_to_regain_access`` (minutes).

At ``SOCIAL_USAGE_PAUSE_PERCENT`` or more, or with a time to regain access, the gate of
what is concerned (``publishing.gates``) is shut until then (``SOCIAL_USAGE_PAUSE_SECONDS``
when Meta gives no time). A rate-limit error does the same: code 4 is the app's limit,
every other one (17, 32, 613, 80001…) the account's the call was made for.

Gate keys are Meta's own ids: ``meta:<object id>`` for a Page or an Instagram account
(so the header's ids name them), ``meta:app`` for the Facebook app, and
``meta:app:instagram-login`` for the Instagram Login app, whose limits are its own.
"""

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from publishing import gates
from publishing.publisher import Gate

FACEBOOK_APP = "meta:app"
INSTAGRAM_LOGIN_APP = "meta:app:instagram-login"
# Meta's "Application request limit reached": the whole app waits.
APP_LIMIT_CODES = frozenset({4})
_COUNTERS = ("call_count", "total_cputime", "total_time")


@dataclass
class ObjectUsage:
    percent: float = 0.0
    regain_seconds: float | None = None


@dataclass
class Usage:
    """Meta's usage headers: the highest percentage used, and when access comes back.

    ``percent`` and ``regain_seconds`` are over every header; ``app``, ``page`` and
    ``objects`` (by business object id) say what each concerns.
    """

    percent: float = 0.0
    regain_seconds: float | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    app: ObjectUsage = field(default_factory=ObjectUsage)
    page: ObjectUsage = field(default_factory=ObjectUsage)
    objects: dict[str, ObjectUsage] = field(default_factory=dict)


def object_key(object_id: str) -> str:
    """The gate of a Page or Instagram account, by its Meta id."""
    return f"meta:{object_id}"


def app_key(*, instagram_login: bool) -> str:
    return INSTAGRAM_LOGIN_APP if instagram_login else FACEBOOK_APP


def gates_for(*, object_id: str, network: str, what: str, instagram_login: bool) -> list[Gate]:
    """A post's gates: its Page's or account's (rate limits and the breaker), the app's."""
    app = Gate(app_key(instagram_login=instagram_login), "Meta", "every dealership", False)
    return [Gate(object_key(object_id), network, what), app] if object_id else [app]


def _read(entry: Any, usage: ObjectUsage) -> None:
    if not isinstance(entry, dict):
        return
    for key in _COUNTERS:
        if isinstance(entry.get(key), int | float):
            usage.percent = max(usage.percent, float(entry[key]))
    minutes = entry.get("estimated_time_to_regain_access")
    if isinstance(minutes, int | float) and minutes > 0:
        usage.regain_seconds = max(usage.regain_seconds or 0, minutes * 60.0)


def _json(headers: Any, name: str) -> Any:
    value = headers.get(name)
    try:
        return json.loads(value) if value else None
    except ValueError:
        return None


def parse_usage(headers: Any) -> Usage:
    """Read X-App-Usage, X-Page-Usage and X-Business-Use-Case-Usage (percentages, minutes)."""
    usage = Usage()
    for name, into in (
        ("X-App-Usage", usage.app),
        ("X-Page-Usage", usage.page),
        ("X-Ad-Account-Usage", ObjectUsage()),
    ):
        data = _json(headers, name)
        if data is not None:
            usage.raw[name] = data
            _read(data, into)
            usage.percent = max(usage.percent, into.percent)
    data = _json(headers, "X-Business-Use-Case-Usage")
    if data is not None:
        usage.raw["X-Business-Use-Case-Usage"] = data
    for object_id, entries in data.items() if isinstance(data, dict) else []:
        into = usage.objects.setdefault(str(object_id), ObjectUsage())
        for entry in entries if isinstance(entries, list) else []:
            _read(entry, into)
    for into in (usage.page, *usage.objects.values()):
        usage.percent = max(usage.percent, into.percent)
        if into.regain_seconds:
            usage.regain_seconds = max(usage.regain_seconds or 0, into.regain_seconds)
    return usage


def slow_down(
    usage: Usage,
    *,
    app: str,
    account: str = "",
    limited: bool = False,
    code: int | None = None,
    retry_after: float | None = None,
) -> None:
    """Shut the gates that ``usage`` (and a rate-limit error, ``limited``) concern.

    ``account`` is the gate of the Page or account the call was made for ("" when
    none: connecting, say); ``app`` the gate of the app that made it.
    """
    threshold = settings.SOCIAL_USAGE_PAUSE_PERCENT
    default = settings.SOCIAL_USAGE_PAUSE_SECONDS
    pauses: dict[str, tuple[float, str]] = {}

    def pause(key: str, seconds: float, reason: str) -> None:
        if key and seconds > pauses.get(key, (0.0, ""))[0]:
            pauses[key] = (seconds, reason)

    for header, key, used in (
        ("X-App-Usage", app, usage.app),
        ("X-Page-Usage", account, usage.page),
        *(
            ("X-Business-Use-Case-Usage", object_key(object_id), used)
            for object_id, used in usage.objects.items()
        ),
    ):
        if used.percent >= threshold or used.regain_seconds:
            reason = f"{header} at {used.percent:.0f}%"
            if used.regain_seconds:
                reason += f", access back in {used.regain_seconds / 60:.0f} min"
            pause(key, used.regain_seconds or default, reason)
    if limited:
        key = app if code in APP_LIMIT_CODES else account
        pause(key, retry_after or default, f"Meta's rate-limit error (code {code})")
    now = timezone.now()
    for key, (seconds, reason) in pauses.items():
        gates.slow_down(key=key, until=now + datetime.timedelta(seconds=seconds), reason=reason)
