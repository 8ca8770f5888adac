"""The one way out to Meta's Graph API: a pooled requests Session, timeouts, and errors in words.

Every call goes through :class:`GraphClient`, so tests point
``FACEBOOK_GRAPH_URL`` at a fake server and nothing else changes. The token
travels in the ``Authorization`` header (never in a URL, which requests and
urllib3 put in exception texts and debug logs), and every message this module
makes is scrubbed of it.

Error classification follows Meta's "Handling Errors" guide
(https://developers.facebook.com/docs/graph-api/guides/error-handling) and the
rate-limit guide (https://developers.facebook.com/docs/graph-api/overview/rate-limiting).
"""

import enum
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

logger = logging.getLogger(__name__)

# Rate limits: 4 app, 17 user, 32 Pages, 613 custom, 341 app limit, 80000–80014
# business use case (https://developers.facebook.com/docs/graph-api/overview/rate-limiting).
RATE_LIMIT_CODES = {4, 17, 32, 613, 341} | set(range(80000, 80015))
TOKEN_CODES = {190, 102}  # invalid or expired token: reconnect, never retry
TRANSIENT_CODES = {1, 2, -1, -2}  # Graph 1/2 "temporary issue"; Instagram -1/-2 "try again"
PERMISSION_CODES = {3, 10} | set(range(200, 300))
DUPLICATE_CODE = 506
NOT_READY_CODE, NOT_READY_SUBCODE = 9007, 2207027  # Instagram "Media ID is not available"
POLICY_BLOCK_CODE = 368

_PLAIN_WORDS = {
    "token": "The Facebook connection of this dealership has expired or was revoked; "
    "staff must reconnect the Page in the admin.",
    "rate_limited": "Facebook is limiting how often we may post right now; "
    "we will try again later.",
    "transient": "Facebook had a temporary problem; we will try again.",
    "permission": "The Facebook connection lacks a permission needed to post "
    "(pages_manage_posts, instagram_content_publish); staff must reconnect the Page.",
    "duplicate": "Facebook says the same post was just published on the Page.",
    "not_ready": "Instagram has not finished preparing the media yet.",
    "policy": "Facebook has temporarily blocked posting from this Page.",
    "rejected": "Facebook refused the post.",
}


class Kind(enum.StrEnum):
    TOKEN = "token"  # noqa: S105 - a kind of error, not a secret
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    PERMISSION = "permission"
    DUPLICATE = "duplicate"
    NOT_READY = "not_ready"
    POLICY = "policy"
    REJECTED = "rejected"
    # The request may have reached Meta but no answer came back: whether it took
    # effect is unknown. Never retried blindly.
    UNKNOWN_OUTCOME = "unknown_outcome"


class GraphError(Exception):
    """A failed Graph call, classified; ``message`` is plain words plus Meta's code and trace."""

    def __init__(
        self,
        message: str,
        *,
        kind: Kind,
        code: int | None = None,
        subcode: int | None = None,
        fbtrace_id: str = "",
        http_status: int | None = None,
        retry_after: float | None = None,
        data: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.code = code
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.http_status = http_status
        self.retry_after = retry_after
        self.data = data or {}

    @property
    def retryable(self) -> bool:
        return self.kind in (Kind.RATE_LIMITED, Kind.TRANSIENT)

    @property
    def permanent(self) -> bool:
        return not self.retryable and self.kind != Kind.UNKNOWN_OUTCOME


@dataclass
class Usage:
    """Meta's usage headers: the highest percentage used, and when access comes back."""

    percent: float = 0.0
    regain_seconds: float | None = None
    raw: dict[str, Any] = field(default_factory=dict)


_TOKEN_PATTERNS = [
    re.compile(r"(access_token=)[^&\s\"']+", re.IGNORECASE),
    re.compile(r"((?:Bearer|OAuth)\s+)[A-Za-z0-9._\-|]+", re.IGNORECASE),
    re.compile(r"\bEA[A-Za-z0-9]{20,}\b"),  # the shape of Meta's user and Page tokens
]


def scrub(text: str, *secrets: str) -> str:
    """Remove tokens from a text: the given secrets and anything shaped like a token."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[token]")
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[token]", text)
    return text


def parse_usage(headers: Any) -> Usage:
    """Read X-App-Usage, X-Page-Usage and X-Business-Use-Case-Usage (percentages, minutes)."""
    usage = Usage()
    for name in ("X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage"):
        value = headers.get(name)
        if not value:
            continue
        try:
            data = json.loads(value)
        except ValueError:
            continue
        usage.raw[name] = data
        for key in ("call_count", "total_cputime", "total_time"):
            if isinstance(data.get(key), int | float):
                usage.percent = max(usage.percent, float(data[key]))
    value = headers.get("X-Business-Use-Case-Usage")
    if value:
        try:
            data = json.loads(value)
        except ValueError:
            data = {}
        usage.raw["X-Business-Use-Case-Usage"] = data
        for entries in data.values() if isinstance(data, dict) else []:
            for entry in entries if isinstance(entries, list) else []:
                for key in ("call_count", "total_cputime", "total_time"):
                    if isinstance(entry.get(key), int | float):
                        usage.percent = max(usage.percent, float(entry[key]))
                minutes = entry.get("estimated_time_to_regain_access")
                if isinstance(minutes, int | float) and minutes > 0:
                    usage.regain_seconds = max(usage.regain_seconds or 0, minutes * 60.0)
    return usage


def classify(response: requests.Response, *, token: str = "") -> GraphError:
    """Turn an error answer into a GraphError: kind from code, subcode, is_transient, status."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code")
    subcode = error.get("error_subcode")
    trace = str(error.get("fbtrace_id") or response.headers.get("x-fb-trace-id") or "")
    status = response.status_code
    usage = parse_usage(response.headers)

    if code in TOKEN_CODES:
        kind = Kind.TOKEN
    elif code in RATE_LIMIT_CODES or status == 429:
        kind = Kind.RATE_LIMITED
    elif code == DUPLICATE_CODE:
        kind = Kind.DUPLICATE
    elif code == NOT_READY_CODE and subcode == NOT_READY_SUBCODE:
        kind = Kind.NOT_READY
    elif code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
        kind = Kind.TRANSIENT
    elif code in PERMISSION_CODES:
        kind = Kind.PERMISSION
    elif code == POLICY_BLOCK_CODE:
        kind = Kind.POLICY
    else:
        kind = Kind.REJECTED

    words = _PLAIN_WORDS[kind.value]
    detail = error.get("error_user_msg") or ""
    if kind == Kind.REJECTED and not detail:
        detail = error.get("message") or f"HTTP {status}"
    if detail:
        words = f"{words} {detail.strip()}"
        words = words if words.endswith((".", "!", "?")) else words + "."
    reference = []
    if code is not None:
        reference.append(f"Meta code {code}" + (f"/{subcode}" if subcode else ""))
    else:
        reference.append(f"HTTP {status}")
    if trace:
        reference.append(f"trace {trace}")
    message = scrub(f"{words} ({', '.join(reference)})", token)
    retry_after = usage.regain_seconds
    if retry_after is None and response.headers.get("Retry-After", "").isdigit():
        retry_after = float(response.headers["Retry-After"])
    return GraphError(
        message,
        kind=kind,
        code=code,
        subcode=subcode,
        fbtrace_id=trace,
        http_status=status,
        retry_after=retry_after,
        data=error.get("error_data") if isinstance(error.get("error_data"), dict) else None,
    )


_session_lock = threading.Lock()
_session: requests.Session | None = None


def get_session() -> requests.Session:
    """One Session per process: keep-alive connections pooled across calls and threads."""
    global _session
    with _session_lock:
        if _session is None:
            session = requests.Session()
            # No automatic retries: whether a request may be repeated is decided above us.
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers["User-Agent"] = "dealer-media/1.0"
            _session = session
        return _session


def _connection_never_made(error: requests.RequestException) -> bool:
    """True when the request surely never reached Meta (refused, DNS, connect timeout)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    text = repr(error)
    return "NewConnectionError" in text or "NameResolutionError" in text


class GraphClient:
    """Graph API calls made with one token (a Page token, or none for public reads)."""

    def __init__(self, token: str):
        self._token = token

    def __repr__(self) -> str:
        return "<GraphClient>"

    def _url(self, path: str, *, video: bool = False) -> str:
        base = settings.FACEBOOK_GRAPH_VIDEO_URL if video else settings.FACEBOOK_GRAPH_URL
        return f"{base.rstrip('/')}/{settings.FACEBOOK_GRAPH_VERSION}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        data: dict | None = None,
        files: dict | None = None,
        video: bool = False,
    ) -> dict:
        """Make one call; answer the JSON body or raise GraphError.

        A POST that may have reached Meta without an answer coming back raises
        ``Kind.UNKNOWN_OUTCOME``: the caller must not repeat it blindly. A GET
        is safe to repeat, so the same situation is ``Kind.TRANSIENT``.
        """
        url = self._url(path, video=video)
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        timeout = (settings.FACEBOOK_GRAPH_CONNECT_TIMEOUT, settings.FACEBOOK_GRAPH_READ_TIMEOUT)
        try:
            response = get_session().request(
                method, url, params=params, data=data, files=files, headers=headers, timeout=timeout
            )
        except requests.RequestException as error:
            never_sent = _connection_never_made(error)
            if method.upper() == "GET" or never_sent:
                kind = Kind.TRANSIENT
                words = (
                    "We could not reach Facebook; we will try again."
                    if never_sent
                    else "Facebook did not answer in time; we will try again."
                )
            else:
                kind = Kind.UNKNOWN_OUTCOME
                words = (
                    "Facebook did not answer in time after we sent the post, so we cannot "
                    "tell whether it was published. Check the Page before sending it again."
                )
            logger.warning(
                "Graph %s %s failed: %s", method, path, scrub(type(error).__name__, self._token)
            )
            raise GraphError(f"{words} ({type(error).__name__})", kind=kind) from None
        usage = parse_usage(response.headers)
        if usage.percent >= 80:
            logger.warning("Graph usage at %.0f%% of Meta's limit.", usage.percent)
        if response.status_code >= 400:
            error = classify(response, token=self._token)
            logger.warning(
                "Graph %s %s answered %s: %s", method, path, response.status_code, error.message
            )
            raise error
        try:
            return response.json()
        except ValueError:
            if method.upper() == "GET":
                raise GraphError(
                    "Facebook answered something we could not read; we will try again.",
                    kind=Kind.TRANSIENT,
                    http_status=response.status_code,
                ) from None
            raise GraphError(
                "Facebook answered something we could not read after we sent the post, so "
                "we cannot tell whether it was published. Check the Page before sending it again.",
                kind=Kind.UNKNOWN_OUTCOME,
                http_status=response.status_code,
            ) from None

    def get(self, path: str, **params: Any) -> dict:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, *, video: bool = False, files: dict | None = None, **data) -> dict:
        return self.request("POST", path, data=data, files=files, video=video)
