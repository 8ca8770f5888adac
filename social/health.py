"""Whether each connection still works, why not in words, and one email per incident.

Meta invalidates tokens at any time (a password change, a permission removed,
the app removed) and says so only when asked: unchecked, a dead token shows
only when a post fails. So every connection is checked daily (a periodic job
in django-celery-beat) and again before a post when last checked longer ago
than ``CHECK_EVERY_SECONDS``: ``debug_token`` for Page tokens, one cheap
read for Instagram Login tokens. A connection that needs reconnecting is moved
there by one conditional UPDATE; only the call that moved it emails the owners.
"""

import datetime
import logging
import re

from django.db.models import Q
from django.utils import timezone

from dealer_media import broker

from . import connect_facebook, connect_instagram
from . import meta_permissions as perms
from .connect_facebook import ConnectionRefused
from .errors import PUBLISH_PERMISSION
from .graph import GraphClient, GraphError, Kind
from .models import InstagramLogin, MetaConnection, SocialAccount

# Instagram Login tokens live 60 days; they are refreshed when this close to the end.
INSTAGRAM_REFRESH_BEFORE_DAYS = 20

# Each account is checked daily, and before a post when last checked longer ago than this.
CHECK_EVERY_SECONDS = 24 * 3600

logger = logging.getLogger(__name__)

NOTIFY_RECONNECT = "social.tasks.email_reconnect_needed"
PPA_SUBCODE = 1404078  # "Page Publishing Authorization required" (as schedulers map it)
_PERMISSION_NAME = re.compile(
    r"\b(pages_[a-z_]+|instagram_[a-z_]+|publish_video|business_management)\b"
)


def what(connection: MetaConnection) -> str:
    if isinstance(connection, InstagramLogin):
        return f"the Instagram account {connection}"
    return f"the Facebook Page {connection}"


def reconnect_reason(error: GraphError, *, connection: MetaConnection | None = None) -> str:
    """Why a connection must be made again, in words, from Meta's error."""
    subject = what(connection) if connection is not None else "the account"
    is_instagram = isinstance(connection, InstagramLogin)
    network = "Instagram" if is_instagram else "Facebook"
    fix = (
        f"An owner can reconnect the {'account' if is_instagram else 'Page'} on the "
        "Connections page."
    )
    if error.subcode == PPA_SUBCODE:
        return (
            f"Facebook requires Page Publishing Authorization for {subject}: an admin of the Page "
            "must complete it in the Page's settings (Page publishing authorization). Then "
            f"{fix[0].lower()}{fix[1:]}"
        )
    if error.code == 190 or error.kind == Kind.TOKEN:
        if error.subcode == 460:
            return (
                f"The password of the {network} account that connected {subject} was changed, "
                f"which ended the connection. {fix}"
            )
        if error.subcode == 458:
            return (
                f"Dealer Media was removed from the {network} account's apps, which ended the "
                f"connection to {subject}. {fix}"
            )
        if error.subcode == 463:
            return f"The connection to {subject} expired. {fix}"
        return f"{network} no longer accepts the connection to {subject}. {fix}"
    if error.kind == Kind.PERMISSION:
        names = sorted(set(_PERMISSION_NAME.findall(error.message)))
        if not names:
            names = [PUBLISH_PERMISSION.get(error_network(error, network), "pages_manage_posts")]
        return (
            f"The connection to {subject} lacks the permission {perms.describe(names)}, needed to "
            f"post: it was not granted or was removed. {fix}"
        )
    return error.message


def error_network(error: GraphError, default: str) -> str:
    return "Instagram" if error.message.startswith("Instagram") else default


def mark_needs_reconnect(*, connection: MetaConnection, reason: str) -> bool:
    """Stop using the connection, say why; the call that flips it emails the owners once."""
    model = type(connection)
    now = timezone.now()
    flipped = model.objects.filter(pk=connection.pk, status=MetaConnection.Status.CONNECTED).update(
        status=MetaConnection.Status.NEEDS_RECONNECT, last_error=reason, updated_at=now
    )
    if not flipped:  # already flagged (or disabled): keep the first reason, send nothing
        model.objects.filter(pk=connection.pk, status=MetaConnection.Status.NEEDS_RECONNECT).update(
            last_error=reason, updated_at=now
        )
    connection.status = MetaConnection.Status.NEEDS_RECONNECT
    connection.last_error = reason
    if flipped:
        logger.warning("%r needs reconnecting: %s", connection, reason)
        kind = "instagram" if isinstance(connection, InstagramLogin) else "facebook"
        broker.send_on_commit(NOTIFY_RECONNECT, kind, connection.pk)
    return bool(flipped)


def _checked(connection: MetaConnection, **fields) -> None:
    fields["verified_at"] = timezone.now()
    type(connection).objects.filter(pk=connection.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(connection, name, value)


def check_page(*, account: SocialAccount) -> str:
    """``debug_token`` on the Page token; answers the reason it needs reconnecting, or ""."""
    token = account.get_token()
    try:
        data = connect_facebook.debug_token(token=token)
    except ConnectionRefused as refusal:
        logger.info("Check of %r did not complete: %s", account, refusal)
        return ""
    reason = ""
    error = data.get("error") or {}
    if not data.get("is_valid"):
        reason = reconnect_reason(
            GraphError(
                str(error.get("message") or "Invalid token"),
                kind=Kind.TOKEN,
                code=error.get("code") or 190,
                subcode=error.get("subcode") or error.get("error_subcode"),
            ),
            connection=account,
        )
    elif str(data.get("type", "")).upper() != "PAGE":
        reason = (
            f"The token stored for {what(account)} is a User token, not a Page token, so "
            "every post fails with Meta's error #200. Reconnect with “Connect Facebook”."
        )
    else:
        scopes = list(data.get("scopes") or [])
        needed = list(perms.NEEDED_FOR["facebook"])
        if account.instagram_account_id:
            needed += perms.NEEDED_FOR["instagram"]
        lacking = [name for name in needed if name not in scopes]
        expires = connect_facebook._when(data.get("data_access_expires_at"))
        if lacking:
            reason = (
                f"A permission was removed from the connection to {what(account)}: "
                f"{perms.describe(lacking)}. Reconnect and keep it ticked."
            )
        elif expires is not None and expires <= timezone.now():
            reason = (
                f"Facebook's data access for {what(account)} expired (it lapses after 90 days "
                "without use). Reconnect to renew it."
            )
        _checked(account, permissions=scopes, data_access_expires_at=expires)
    if reason:
        mark_needs_reconnect(connection=account, reason=reason)
    return reason


def check_instagram_login(*, login: InstagramLogin) -> str:
    """One cheap read with the Instagram Login token; answers the reason, or ""."""
    if login.token_expired:
        reason = f"The connection to {what(login)} expired. Reconnect to renew it."
        mark_needs_reconnect(connection=login, reason=reason)
        return reason
    try:
        me = GraphClient(login.get_token(), network="Instagram", instagram_login=True).get(
            "me", fields="user_id,username"
        )
    except GraphError as error:
        if error.kind in (Kind.TOKEN, Kind.PERMISSION):
            reason = reconnect_reason(error, connection=login)
            mark_needs_reconnect(connection=login, reason=reason)
            return reason
        logger.info("Check of %r did not complete: %s", login, error.message)
        return ""
    _checked(login, username=me.get("username") or login.username)
    return ""


def check(connection: MetaConnection) -> str:
    if isinstance(connection, InstagramLogin):
        return check_instagram_login(login=connection)
    return check_page(account=connection)


def check_if_stale(connection: MetaConnection) -> str:
    """Before a post: check again when the last check is older than a day."""
    horizon = timezone.now() - datetime.timedelta(seconds=CHECK_EVERY_SECONDS)
    if connection.verified_at is not None and connection.verified_at > horizon:
        return ""
    return check(connection)


def check_due_connections(*, limit: int = 500) -> int:
    """Periodic: every connected account not checked for most of a day; answers how many."""
    horizon = timezone.now() - datetime.timedelta(seconds=CHECK_EVERY_SECONDS * 0.9)
    due = Q(verified_at__isnull=True) | Q(verified_at__lt=horizon)
    checked = 0
    for model in (SocialAccount, InstagramLogin):
        rows = model.objects.filter(due, status=MetaConnection.Status.CONNECTED).exclude(
            token_encrypted=""
        )
        for connection in rows.order_by("verified_at")[:limit]:
            check(connection)
            checked += 1
    return checked


def refresh_instagram_tokens() -> int:
    """Periodic: Instagram Login tokens within INSTAGRAM_REFRESH_BEFORE_DAYS of their end."""
    soon = timezone.now() + datetime.timedelta(days=INSTAGRAM_REFRESH_BEFORE_DAYS)
    # Meta refreshes only tokens at least 24 hours old.
    day_old = timezone.now() - datetime.timedelta(hours=24)
    rows = InstagramLogin.objects.filter(
        status=MetaConnection.Status.CONNECTED,
        token_expires_at__isnull=False,
        token_expires_at__lte=soon,
        token_expires_at__gt=timezone.now(),
    ).filter(Q(refreshed_at__isnull=True) | Q(refreshed_at__lte=day_old))
    refreshed = 0
    for login in rows:
        try:
            connect_instagram.refresh(login=login)
        except (GraphError, ConnectionRefused) as error:
            if isinstance(error, GraphError) and error.kind == Kind.TOKEN:
                mark_needs_reconnect(
                    connection=login, reason=reconnect_reason(error, connection=login)
                )
            logger.warning("Refreshing %r failed: %s", login, error)
            continue
        refreshed += 1
    return refreshed
