"""Instagram Login: an Instagram professional account connected with no Facebook Page.

Meta's "Business Login for Instagram"
(https://developers.facebook.com/documentation/instagram-platform/instagram-api-with-instagram-login/business-login):
authorize at ``INSTAGRAM_OAUTH_URL``, the code becomes a short-lived token at
``INSTAGRAM_API_URL``, then a 60-day token at ``INSTAGRAM_GRAPH_URL``
(``ig_exchange_token``), refreshed with ``ig_refresh_token`` before it ends.
"""

import datetime
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from . import meta_permissions as perms
from .connect_facebook import ConnectionRefused, refusal
from .graph import GraphClient, GraphError
from .models import InstagramLogin

logger = logging.getLogger(__name__)


def dialog_url(*, redirect_uri: str, state: str) -> str:
    query = {
        "client_id": settings.INSTAGRAM_APP_ID,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": perms.scope(perms.INSTAGRAM_LOGIN),
        "state": state,
    }
    return f"{settings.INSTAGRAM_OAUTH_URL.rstrip('/')}/oauth/authorize?{urlencode(query)}"


def _long_lived(answer: dict) -> tuple[str, datetime.datetime | None]:
    token = answer.get("access_token") or ""
    if not token:
        raise ConnectionRefused("Instagram answered without a token. Nothing changed; try again.")
    seconds = answer.get("expires_in")
    expires = (
        timezone.now() + datetime.timedelta(seconds=int(seconds))
        if isinstance(seconds, int | float) and seconds > 0
        else None
    )
    return token, expires


def exchange_code(*, code: str, redirect_uri: str) -> dict:
    """``{"token", "expires_at", "user_id", "permissions"}`` from the dialog's code."""
    client = GraphClient("", network="Instagram")
    code = code.removesuffix("#_")  # Instagram appends #_ to the redirect
    try:
        short = client.send(
            "POST",
            f"{settings.INSTAGRAM_API_URL.rstrip('/')}/oauth/access_token",
            data={
                "client_id": settings.INSTAGRAM_APP_ID,
                "client_secret": settings.INSTAGRAM_APP_SECRET,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        # The answer is {"data": [{...}]} in Meta's current reference, flat in older ones.
        first = (short.get("data") or [short])[0] if isinstance(short.get("data"), list) else short
        long_lived = client.send(
            "GET",
            f"{settings.INSTAGRAM_GRAPH_URL.rstrip('/')}/access_token",
            params={
                "grant_type": "ig_exchange_token",
                "client_secret": settings.INSTAGRAM_APP_SECRET,
                "access_token": first.get("access_token", ""),
            },
        )
    except GraphError as error:
        raise refusal(error, "to exchange the sign-in code", network="Instagram") from None
    token, expires = _long_lived(long_lived)
    granted = first.get("permissions") or ""
    if isinstance(granted, str):
        granted = [name.strip() for name in granted.split(",") if name.strip()]
    return {
        "token": token,
        "expires_at": expires,
        "user_id": str(first.get("user_id") or ""),
        "permissions": list(granted),
    }


def profile(*, token: str) -> dict:
    """The account behind a token: ``user_id`` (what publishing uses), username and picture."""
    client = GraphClient(token, network="Instagram", instagram_login=True)
    return client.get("me", fields="user_id,username,profile_picture_url")


def login_connect(*, organization: Organization, user, found: dict) -> InstagramLogin:
    """Store the account for this dealership; its one Instagram connection from now on."""
    lacking = perms.missing(found["permissions"], perms.INSTAGRAM_LOGIN)
    if lacking:
        raise ConnectionRefused(
            f"Instagram did not grant {perms.describe([p.name for p in lacking])}. Connect "
            "again and keep them ticked."
        )
    try:
        me = profile(token=found["token"])
    except GraphError as error:
        raise refusal(
            error, "to tell which account you signed in with", network="Instagram"
        ) from None
    user_id = str(me.get("user_id") or found["user_id"] or me.get("id") or "")
    taken = InstagramLogin.objects.filter(instagram_user_id=user_id).exclude(
        organization=organization
    )
    taken_words = (
        "This Instagram account is already connected to another dealership in Dealer Media, "
        "so it cannot be connected here too."
    )
    if taken.exists():
        raise ConnectionRefused(taken_words)
    now = timezone.now()
    try:
        with transaction.atomic():
            login = InstagramLogin.objects.select_for_update().filter(
                organization=organization
            ).first() or InstagramLogin(organization=organization)
            login.instagram_user_id = user_id
            login.username = me.get("username", "")
            login.picture_url = me.get("profile_picture_url", "") or ""
            login.set_token(found["token"])
            login.token_expires_at = found["expires_at"]
            login.permissions = found["permissions"]
            login.status = InstagramLogin.Status.CONNECTED
            login.last_error = ""
            login.notified_at = None
            login.verified_at = now
            login.refreshed_at = now
            login.connected_at = now
            login.connected_by = user
            login.save()
    except IntegrityError:
        raise ConnectionRefused(taken_words) from None
    logger.info(
        "Dealership %s connected Instagram %s by Instagram Login.", organization.pk, user_id
    )
    return login


def refresh(*, login: InstagramLogin) -> None:
    """A fresh 60 days for a long-lived token (``ig_refresh_token``); raises GraphError."""
    client = GraphClient("", network="Instagram")
    answer = client.send(
        "GET",
        f"{settings.INSTAGRAM_GRAPH_URL.rstrip('/')}/refresh_access_token",
        params={"grant_type": "ig_refresh_token", "access_token": login.get_token()},
    )
    token, expires = _long_lived(answer)
    login.set_token(token)
    login.token_expires_at = expires
    login.refreshed_at = timezone.now()
    InstagramLogin.objects.filter(pk=login.pk).update(
        token_encrypted=login.token_encrypted,
        token_expires_at=expires,
        refreshed_at=login.refreshed_at,
        updated_at=login.refreshed_at,
    )
