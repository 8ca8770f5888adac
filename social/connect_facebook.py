"""Facebook Login for Business, server side: the dialog, the tokens, the Pages, the Page token.

The flow follows Meta's "Manually Build a Login Flow" and the Pages API
(https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow,
https://developers.facebook.com/docs/pages-api/getting-started): code to user
token, short-lived to long-lived (``fb_exchange_token``), granted permissions
(``/me/permissions``), the Pages (``/me/accounts`` and Business Manager's), and
the chosen Page's token checked with ``debug_token`` before it is stored. Every
call goes through ``social.graph``; nothing here is HTTP of its own.
"""

import datetime
import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from . import meta_permissions as perms
from .graph import GraphClient, GraphError, Kind
from .models import InstagramLogin, SocialAccount

logger = logging.getLogger(__name__)

PAGE_FIELDS = "id,name,access_token,tasks,picture{url},instagram_business_account{id,username}"
# Page tasks that allow publishing (Pages API, "tasks": CREATE_CONTENT; MANAGE implies it).
POSTING_TASKS = {"CREATE_CONTENT", "MANAGE"}


class ConnectionRefused(Exception):
    """Meta's answer or the Page cannot be used; ``str()`` says why, in words."""


@dataclass
class PageChoice:
    id: str
    name: str
    picture_url: str = ""
    instagram_id: str = ""
    instagram_username: str = ""
    tasks: list[str] = field(default_factory=list)
    token: str = field(default="", repr=False)
    through_business: str = ""  # the Business Manager it was reached through, if any

    @property
    def can_post(self) -> bool:
        return bool(POSTING_TASKS.intersection(self.tasks)) and bool(self.token)


@dataclass
class TokenCheck:
    """What ``debug_token`` says of a Page token, once it passed."""

    scopes: list[str]
    user_id: str = ""
    expires_at: datetime.datetime | None = None
    data_access_expires_at: datetime.datetime | None = None


def _graph_root() -> str:
    return f"{settings.FACEBOOK_GRAPH_URL.rstrip('/')}/{settings.FACEBOOK_GRAPH_VERSION}"


def dialog_url(*, redirect_uri: str, state: str, rerequest: bool = False) -> str:
    """Where the browser goes: Meta's dialog, with Login for Business's config or our scope."""
    query = {
        "client_id": settings.FACEBOOK_APP_ID,
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
    }
    if settings.FACEBOOK_LOGIN_CONFIG_ID:
        query["config_id"] = settings.FACEBOOK_LOGIN_CONFIG_ID
        # Login for Business issues a user token unless told otherwise; that is what we use.
        query["override_default_response_type"] = "true"
    else:
        query["scope"] = perms.scope(perms.FACEBOOK_LOGIN)
    if rerequest:
        query["auth_type"] = "rerequest"
    base = settings.FACEBOOK_OAUTH_URL.rstrip("/")
    return f"{base}/{settings.FACEBOOK_GRAPH_VERSION}/dialog/oauth?{urlencode(query)}"


def refusal(error: GraphError, doing: str, *, network: str = "Facebook") -> ConnectionRefused:
    """A failed call while connecting, in words: Meta was away (try again) or said no."""
    if error.kind in (Kind.TRANSIENT, Kind.UNKNOWN_OUTCOME, Kind.RATE_LIMITED):
        return ConnectionRefused(
            f"{network} did not answer while we were {doing}. Nothing changed; try again in a "
            f"minute. ({error.message})"
        )
    return ConnectionRefused(f"{network} refused {doing}: {error.suffix or error.message}")


def exchange_code(*, code: str, redirect_uri: str) -> str:
    """The dialog's code, made a long-lived user token (two exchanges, both with the secret)."""
    client = GraphClient("")
    try:
        short = client.send(
            "GET",
            f"{_graph_root()}/oauth/access_token",
            params={
                "client_id": settings.FACEBOOK_APP_ID,
                "client_secret": settings.FACEBOOK_APP_SECRET,
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        long_lived = client.send(
            "GET",
            f"{_graph_root()}/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": settings.FACEBOOK_APP_ID,
                "client_secret": settings.FACEBOOK_APP_SECRET,
                "fb_exchange_token": short.get("access_token", ""),
            },
        )
    except GraphError as error:
        raise refusal(error, "to exchange the sign-in code") from None
    token = long_lived.get("access_token") or ""
    if not token:
        raise ConnectionRefused("Facebook answered without a token. Nothing changed; try again.")
    return token


def read_permissions(*, user_token: str) -> tuple[list[str], list[str]]:
    """``(granted, declined)``, as Meta answers ``/me/permissions``."""
    try:
        answer = GraphClient(user_token).get("me/permissions")
    except GraphError as error:
        raise refusal(error, "to tell which permissions you granted") from None
    granted, declined = [], []
    for row in answer.get("data") or []:
        (granted if row.get("status") == "granted" else declined).append(row.get("permission"))
    return granted, declined


def facebook_user_id(*, user_token: str) -> str:
    try:
        return str(GraphClient(user_token).get("me", fields="id").get("id") or "")
    except GraphError as error:
        raise refusal(error, "to tell who you are") from None


def _pages(client: GraphClient, path: str, *, business: str = "") -> list[PageChoice]:
    found, after = [], None
    for _ in range(10):  # 100 Pages a request; a dealer group rarely has more than a few
        params = {"fields": PAGE_FIELDS, "limit": 100}
        if after:
            params["after"] = after
        answer = client.get(path, **params)
        for row in answer.get("data") or []:
            instagram = row.get("instagram_business_account") or {}
            picture = ((row.get("picture") or {}).get("data") or {}).get("url", "")
            found.append(
                PageChoice(
                    id=str(row.get("id")),
                    name=row.get("name", ""),
                    picture_url=picture,
                    instagram_id=str(instagram.get("id") or ""),
                    instagram_username=instagram.get("username", ""),
                    tasks=list(row.get("tasks") or []),
                    token=row.get("access_token", ""),
                    through_business=business,
                )
            )
        after = ((answer.get("paging") or {}).get("cursors") or {}).get("after")
        if not after or not (answer.get("paging") or {}).get("next"):
            break
    return found


def pages_for(*, user_token: str, granted: list[str]) -> list[PageChoice]:
    """The person's Pages, and those of their Business Managers, each once, by name."""
    client = GraphClient(user_token)
    try:
        pages = _pages(client, "me/accounts")
        if "business_management" in granted:
            for business in client.get("me/businesses", fields="id,name").get("data") or []:
                for edge in ("owned_pages", "client_pages"):
                    pages += _pages(client, f"{business['id']}/{edge}", business=business["name"])
    except GraphError as error:
        raise refusal(error, "to list your Pages") from None
    unique: dict[str, PageChoice] = {}
    for page in pages:
        known = unique.get(page.id)
        if known is None or (page.can_post and not known.can_post):
            unique[page.id] = page
    return sorted(unique.values(), key=lambda page: page.name.lower())


def _app_token() -> str:
    if settings.FACEBOOK_APP_ID and settings.FACEBOOK_APP_SECRET:
        return f"{settings.FACEBOOK_APP_ID}|{settings.FACEBOOK_APP_SECRET}"
    return ""


def _when(seconds) -> datetime.datetime | None:
    try:
        seconds = int(seconds or 0)
    except (TypeError, ValueError):
        return None
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC) if seconds > 0 else None


def debug_token(*, token: str) -> dict:
    """Meta's own view of a token, asked with the app token (the token itself without a secret)."""
    app_token = _app_token()
    client = GraphClient(app_token or token)
    try:
        return client.get("debug_token", input_token=token).get("data") or {}
    except GraphError as error:
        raise refusal(error, "to check the Page's token") from None


def page_token_check(*, page_id: str, token: str) -> TokenCheck:
    """A Page token we may store: valid, of type PAGE, for this Page, with the permissions."""
    data = debug_token(token=token)
    if not data.get("is_valid"):
        detail = (data.get("error") or {}).get("message", "")
        raise ConnectionRefused(
            f"Facebook says this token is no longer valid. {detail}".strip()
            + " Connect the Page again to get a new one."
        )
    kind = str(data.get("type", "")).upper()
    if kind != "PAGE":
        raise ConnectionRefused(
            f"This is a {kind.title() or 'non-Page'} token, not a Page token. Posts to a Page "
            "need the Page's own token (a User token fails every post with Meta's error #200). "
            "Connect with “Connect Facebook”, or paste the token of the Page itself."
        )
    profile = str(data.get("profile_id") or "")
    if profile and page_id and profile != str(page_id):
        raise ConnectionRefused(
            "This token belongs to another Page than the one chosen. Nothing was stored."
        )
    scopes = list(data.get("scopes") or [])
    lacking = [name for name in perms.NEEDED_FOR["facebook"] if name not in scopes]
    if lacking:
        raise ConnectionRefused(
            f"The connection lacks {perms.describe(lacking)}, without which nothing can be "
            "posted. Use “Grant the missing permissions” and keep them ticked."
        )
    return TokenCheck(
        scopes=scopes,
        user_id=str(data.get("user_id") or ""),
        expires_at=_when(data.get("expires_at")),
        data_access_expires_at=_when(data.get("data_access_expires_at")),
    )


def page_taken_elsewhere(*, organization: Organization, page_id: str) -> bool:
    return SocialAccount.objects.filter(page_id=page_id).exclude(organization=organization).exists()


TAKEN = (
    "This Page is already connected to another dealership in Dealer Media, so it cannot be "
    "connected here too. Ask whoever manages it to disconnect it there first, or contact us."
)


def page_connect(
    *, organization: Organization, user, page: PageChoice, facebook_user: str
) -> SocialAccount:
    """Store the chosen Page, its checked token and its Instagram account, for this dealership."""
    if not page.can_post:
        raise ConnectionRefused(
            f"You cannot create content on {page.name}, so we cannot post there for you. Ask "
            "an admin of the Page to give you that access, then connect again."
        )
    if page_taken_elsewhere(organization=organization, page_id=page.id):
        raise ConnectionRefused(TAKEN)
    check = page_token_check(page_id=page.id, token=page.token)
    now = timezone.now()
    try:
        with transaction.atomic():
            account = (
                SocialAccount.objects.select_for_update().filter(organization=organization).first()
            ) or SocialAccount(organization=organization)
            account.page_id = page.id
            account.page_name = page.name
            account.page_picture_url = page.picture_url
            account.instagram_account_id = page.instagram_id
            account.instagram_username = page.instagram_username
            account.set_token(page.token)
            account.token_expires_at = check.expires_at
            account.data_access_expires_at = check.data_access_expires_at
            account.permissions = check.scopes
            account.facebook_user_id = facebook_user or check.user_id
            account.status = SocialAccount.Status.CONNECTED
            account.last_error = ""
            account.notified_at = None
            account.verified_at = now
            account.connected_at = now
            account.connected_by = user
            account.save()
    except IntegrityError:  # the same Page connected elsewhere a moment ago
        raise ConnectionRefused(TAKEN) from None
    logger.info("Dealership %s connected Page %s.", organization.pk, page.id)
    return account


def instagram_goes_by_login(*, organization: Organization) -> bool:
    return InstagramLogin.objects.for_org(organization).exists()


def revoke(*, account: SocialAccount) -> str:
    """``DELETE /{user-id}/permissions``: the person's grant to our app, gone. Answers a note."""
    user_id = account.facebook_user_id
    app_token = _app_token()
    if not user_id:
        return "Facebook was not asked to remove the grant: we do not know who made it."
    try:
        client = GraphClient(app_token) if app_token else GraphClient(account.get_token())
        client.request("DELETE", f"{user_id}/permissions")
    except GraphError as error:
        logger.info("Revoking the grant of account %s: %s", account.pk, error.message)
        return (
            "Facebook did not confirm that the grant was removed; you can remove Dealer Media "
            "in Facebook under Settings → Business integrations."
        )
    return ""
