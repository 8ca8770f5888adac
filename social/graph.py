"""The one way out to Meta's Graph API: a requests Session per thread, timeouts, errors in words.

Every call goes through :class:`GraphClient`, so tests point
``FACEBOOK_GRAPH_URL`` at a fake server and nothing else changes. The token
travels in the ``Authorization`` header (never in a URL, which requests and
urllib3 put in exception texts and debug logs), and every message this module
makes is scrubbed of it.

Error classification follows Meta's "Handling Errors" guide
(https://developers.facebook.com/docs/graph-api/guides/error-handling) and the
rate-limit guide (https://developers.facebook.com/docs/graph-api/overview/rate-limiting).
"""

import hashlib
import hmac
import logging
import os
import re
import threading
import urllib.request
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from dealer_media.db_connections import release_while_waiting

# The meaning of Meta's codes lives in one table, with the source of each row.
from .errors import PUBLISH_PERMISSION, WORDS, Kind, lookup
from .limits import Usage, app_key, parse_usage, slow_down

# Meta answers a connection at once or not at all: fail fast and retry.
CONNECT_TIMEOUT_SECONDS = 5.0

__all__ = ["GraphClient", "GraphError", "Kind", "Usage", "classify", "parse_usage", "scrub"]

logger = logging.getLogger(__name__)


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
        suffix: str = "",
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
        self._suffix = suffix  # Meta's detail and reference, kept by describe()

    @property
    def suffix(self) -> str:
        """Meta's detail and reference ("(Meta code 190/460, trace …)"), without our words."""
        return self._suffix

    @property
    def retryable(self) -> bool:
        return self.kind in (Kind.RATE_LIMITED, Kind.TRANSIENT)

    @property
    def permanent(self) -> bool:
        return not self.retryable and self.kind != Kind.UNKNOWN_OUTCOME

    def describe(self, words: str) -> str:
        """The same error told with other words (e.g. naming the file's host)."""
        return f"{words} {self._suffix}".strip()


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


def classify(
    response: requests.Response, *, token: str = "", network: str = "Facebook", method: str = "GET"
) -> GraphError:
    """Turn an error answer into a GraphError, by ``errors.ERROR_TABLE`` then the HTTP status.

    A POST answered by a server error without an error object Meta knows (a bare
    504 from a proxy, say) may well have been carried out: its outcome is unknown.
    """
    try:
        body = response.json()
        error = body.get("error") or {}
    except (ValueError, AttributeError):
        body, error = {}, {}
    if not isinstance(error, dict):
        error = {}
    # Instagram's OAuth hosts answer {"error_type", "code", "error_message"}.
    if not error and isinstance(body, dict) and body.get("error_message"):
        error = {"message": str(body["error_message"])}
    # The rupload host (Page Reels) answers {"debug_info": {"retriable", "type", "message"}}.
    debug = body.get("debug_info") if isinstance(body, dict) else None
    if not error and isinstance(debug, dict):
        error = {"error_user_msg": str(debug.get("message") or "")}
        if debug.get("retriable") is True:
            error["is_transient"] = True
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    trace = str(error.get("fbtrace_id") or response.headers.get("x-fb-trace-id") or "")
    status = response.status_code
    usage = parse_usage(response.headers)
    entry = lookup(code, subcode)
    words = ""
    if entry is not None:
        kind, words = entry.kind, entry.words
    elif error.get("is_transient") is True:
        kind = Kind.TRANSIENT
    elif status >= 500 and method.upper() != "GET":
        kind = Kind.UNKNOWN_OUTCOME
        words = (
            f"{network} answered with a server error (HTTP {status}) after we sent the post, "
            f"so we cannot tell whether it was published. Check {network} before sending it "
            "again."
        )
    elif status == 429:
        kind = Kind.RATE_LIMITED
    elif status >= 500:
        kind = Kind.TRANSIENT
    else:
        kind = Kind.REJECTED

    words = (words or WORDS[kind]).format(
        network=network,
        permission=PUBLISH_PERMISSION.get(network, "pages_manage_posts"),
        host="the address we gave",
    )
    detail = error.get("error_user_msg") or ""
    if kind == Kind.REJECTED and not detail:
        detail = error.get("message") or f"HTTP {status}"
    if kind == Kind.PERMISSION and not detail:
        detail = error.get("message") or ""
    detail = detail.strip()
    if detail and not detail.endswith((".", "!", "?")):
        detail += "."
    reference = []
    if code is not None:
        reference.append(f"Meta code {code}" + (f"/{subcode}" if subcode else ""))
    else:
        reference.append(f"HTTP {status}")
    if trace:
        reference.append(f"trace {trace}")
    suffix = scrub(f"{detail} ({', '.join(reference)})".strip(), token)
    retry_after = usage.regain_seconds
    if retry_after is None and response.headers.get("Retry-After", "").isdigit():
        retry_after = float(response.headers["Retry-After"])
    return GraphError(
        scrub(f"{words} {suffix}", token),
        kind=kind,
        code=code,
        subcode=subcode,
        fbtrace_id=trace,
        http_status=status,
        retry_after=retry_after,
        data=error.get("error_data") if isinstance(error.get("error_data"), dict) else None,
        suffix=suffix,
    )


_local = threading.local()


def get_session() -> requests.Session:
    """This thread's Session: keep-alive connections reused by the thread's next calls.

    One per thread, not one per process: requests does not promise that a Session
    is safe to share between threads, and a thread pool of publishers would
    outgrow one shared pool ("Connection pool is full, discarding connection").
    """
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        if not urllib.request.getproxies():  # else requests reads them on every call
            session.trust_env = False  # no per-call read of the environment and ~/.netrc
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            session.verify = bundle or True  # the CA bundle requests would read, read once
        # No automatic retries: whether a request may be repeated is decided above us. One
        # pool per host (graph, graph-video, rupload, Instagram), one call at a time each.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=2, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers["User-Agent"] = "dealer-media/1.0"
        _local.session = session
    return session


def _connection_never_made(error: requests.RequestException) -> bool:
    """True when the request surely never reached Meta (refused, DNS, connect timeout)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    text = repr(error)
    return "NewConnectionError" in text or "NameResolutionError" in text


def appsecret_proof(token: str, secret: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret (Meta's "Securing requests")."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


class GraphClient:
    """Graph API calls made with one token (a Page token, or none for public reads).

    ``network`` names who answers in the words of errors: Instagram's say Instagram.
    ``instagram_login`` sends the calls to ``INSTAGRAM_GRAPH_URL`` with an Instagram
    User token (Instagram API with Instagram Login). Every call carries an
    ``appsecret_proof`` when the app's secret is set, so a stolen token alone is
    of no use to anyone when the app requires it. Meta's usage headers and rate-limit
    errors slow down the gates they concern (``limits``); ``account_gate`` is the gate
    of the Page or account the calls are made for.
    """

    def __init__(
        self,
        token: str,
        *,
        network: str = "Facebook",
        instagram_login: bool = False,
        account_gate: str = "",
    ):
        self._token = token
        self.network = network
        self.instagram_login = instagram_login
        self.account_gate = account_gate
        secret = settings.INSTAGRAM_APP_SECRET if instagram_login else settings.FACEBOOK_APP_SECRET
        self._proof = appsecret_proof(token, secret) if token and secret else ""

    def __repr__(self) -> str:
        return "<GraphClient>"

    def _url(self, path: str, *, video: bool = False) -> str:
        if self.instagram_login:
            base = settings.INSTAGRAM_GRAPH_URL
        else:
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
        if self._proof:
            params = {**(params or {}), "appsecret_proof": self._proof}
        return self._call(method, url, path, headers=headers, params=params, data=data, files=files)

    def send(
        self, method: str, url: str, *, params: dict | None = None, data: dict | None = None
    ) -> dict:
        """A call to an absolute URL with no token header: the OAuth code and token exchanges.

        Those carry the app secret and the code as parameters, as Meta documents them
        (``oauth/access_token``, ``ig_exchange_token``, ``ig_refresh_token``); errors
        are classified and scrubbed like every other call's.
        """
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        return self._call(method, url, path, headers={}, params=params, data=data)

    def rupload(self, upload_url: str, *, headers: dict[str, str], data: Any = None) -> dict:
        """POST a Page Reel's file to Meta's upload host (``FACEBOOK_RUPLOAD_URL``).

        The host wants ``Authorization: OAuth <token>`` and the file as the raw body
        (with ``offset`` and ``file_size``) or a ``file_url`` header (Reels Publishing
        API, step 2). The token goes only to the configured host: an upload address
        elsewhere is refused before anything is sent. Errors as for ``request``.
        """
        base = settings.FACEBOOK_RUPLOAD_URL.rstrip("/") + "/"
        if not upload_url.startswith(base):
            raise GraphError(
                f"{self.network} gave an upload address on an unexpected host; nothing was "
                "sent. Check FACEBOOK_RUPLOAD_URL.",
                kind=Kind.REJECTED,
            )
        path = "/" + upload_url[len(base) :]
        headers = {**headers, "Authorization": f"OAuth {self._token}"}
        return self._call("POST", upload_url, path, headers=headers, data=data)

    def _call(self, method: str, url: str, path: str, *, headers: dict, **send: Any) -> dict:
        """Send one request; answer the JSON body or raise a classified, scrubbed GraphError."""
        timeout = (CONNECT_TIMEOUT_SECONDS, settings.FACEBOOK_GRAPH_READ_TIMEOUT)
        release_while_waiting()  # Meta takes 0.3-3 s: another thread may use the connection
        try:
            response = get_session().request(method, url, headers=headers, timeout=timeout, **send)
        except requests.RequestException as error:
            never_sent = _connection_never_made(error)
            network = self.network
            if method.upper() == "GET" or never_sent:
                kind = Kind.TRANSIENT
                words = (
                    f"We could not reach {network}; we will try again."
                    if never_sent
                    else f"{network} did not answer in time; we will try again."
                )
            else:
                kind = Kind.UNKNOWN_OUTCOME
                words = (
                    f"{network} did not answer in time after we sent the post, so we cannot "
                    f"tell whether it was published. Check {network} before sending it again."
                )
            logger.warning(
                "Graph %s %s failed: %s", method, path, scrub(type(error).__name__, self._token)
            )
            raise GraphError(f"{words} ({type(error).__name__})", kind=kind) from None
        usage = parse_usage(response.headers)
        if usage.percent >= 80:
            logger.warning("Graph usage at %.0f%% of Meta's limit.", usage.percent)
        error = None
        if response.status_code >= 400:
            error = classify(response, token=self._token, network=self.network, method=method)
        limited = error if error is not None and error.kind == Kind.RATE_LIMITED else None
        slow_down(
            usage,
            app=app_key(instagram_login=self.instagram_login),
            account=self.account_gate,
            limited=limited is not None,
            code=limited.code if limited else None,
            retry_after=limited.retry_after if limited else None,
        )
        if error is not None:
            logger.warning(
                "Graph %s %s answered %s: %s", method, path, response.status_code, error.message
            )
            raise error
        try:
            return response.json()
        except ValueError:
            if method.upper() == "GET":
                raise GraphError(
                    f"{self.network} answered something we could not read; we will try again.",
                    kind=Kind.TRANSIENT,
                    http_status=response.status_code,
                ) from None
            raise GraphError(
                f"{self.network} answered something we could not read after we sent the post, "
                f"so we cannot tell whether it was published. Check {self.network} before "
                "sending it again.",
                kind=Kind.UNKNOWN_OUTCOME,
                http_status=response.status_code,
            ) from None

    def get(self, path: str, **params: Any) -> dict:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, *, video: bool = False, files: dict | None = None, **data) -> dict:
        return self.request("POST", path, data=data, files=files, video=video)
