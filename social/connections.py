"""What the Connections page does: who may change it, the steps of connecting, disconnecting.

Views call these; each step is also what tests drive. Facebook: the callback
keeps the person's long-lived user token on the attempt (encrypted) only while
they pick a Page; the Page token is checked with ``debug_token`` and stored,
and the user token is forgotten.
"""

import logging

from django.conf import settings
from django.db import transaction

from dealer_media.tenancy.models import Organization
from dealer_media.tenancy.roles import Action, may, membership_for

from . import connect_facebook, connect_instagram, connect_state, health, services
from . import meta_permissions as perms
from .connect_facebook import ConnectionRefused, PageChoice
from .models import ConnectionAttempt, InstagramLogin, SocialAccount

logger = logging.getLogger(__name__)

NO_FACEBOOK_APP = (
    "Connecting Facebook needs the Meta app of this installation (FACEBOOK_APP_ID and "
    "FACEBOOK_APP_SECRET); until it is set, posts go to the sandbox."
)
NO_INSTAGRAM_APP = (
    "Connecting by Instagram Login needs the Instagram app of this installation "
    "(INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET)."
)


def may_change(*, user, organization: Organization) -> bool:
    """Only the dealership's owners connect and disconnect (staff through the admin)."""
    return may(membership_for(user=user, organization=organization), Action.CHANGE_CONNECTIONS)


def page_state(*, organization: Organization, user) -> dict:
    """Everything the Connections page shows."""
    account = services.account_for(organization=organization)
    login = services.instagram_login_for(organization=organization)
    instagram = login or (account if account and account.instagram_account_id else None)
    return {
        "account": account,
        "instagram_login": login,
        "instagram": instagram,
        "instagram_via_login": login is not None,
        "page_instagram_unused": bool(login and account and account.instagram_account_id),
        "can_change": may_change(user=user, organization=organization),
        "facebook_ready": bool(settings.FACEBOOK_APP_ID),
        "instagram_ready": bool(settings.INSTAGRAM_APP_ID),
        "sandbox": services.sandbox_active(),
        "no_facebook_app": NO_FACEBOOK_APP,
        "no_instagram_app": NO_INSTAGRAM_APP,
        "facebook_permissions": perms.FACEBOOK_LOGIN,
        "instagram_permissions": perms.INSTAGRAM_LOGIN,
        "waiting": _waiting_posts(organization=organization),
    }


def _waiting_posts(*, organization: Organization) -> dict[str, int]:
    """Scheduled posts per social destination that cannot go out as things stand."""
    from media_content.availability import destination_availability
    from media_content.selectors import posts_waiting_count

    blocked = [
        name
        for name, availability in destination_availability(organization=organization).items()
        if not availability.usable
    ]
    return posts_waiting_count(organization=organization, destinations=blocked)


def facebook_receive(*, attempt: ConnectionAttempt, code: str, redirect_uri: str) -> None:
    """The callback's work: tokens, permissions and who connected, kept on the attempt."""
    token = connect_facebook.exchange_code(code=code, redirect_uri=redirect_uri)
    granted, declined = connect_facebook.read_permissions(user_token=token)
    connect_state.attempt_keep_token(
        attempt=attempt,
        user_token=token,
        granted=granted,
        declined=declined,
        facebook_user_id=connect_facebook.facebook_user_id(user_token=token),
    )


def page_picker(*, attempt: ConnectionAttempt) -> dict:
    """The Pages to choose from, which can be chosen, and the permissions missing."""
    granted = list(attempt.granted)
    missing = perms.missing(granted, perms.FACEBOOK_LOGIN)
    optional = [p for p in perms.FACEBOOK_LOGIN if not p.required and p.name not in granted]
    pages = []
    if "pages_show_list" in granted:
        pages = connect_facebook.pages_for(user_token=attempt.get_user_token(), granted=granted)
    rows = []
    for page in pages:
        taken = connect_facebook.page_taken_elsewhere(
            organization=attempt.organization, page_id=page.id
        )
        reason = ""
        if taken:
            reason = "Connected to another dealership in Dealer Media."
        elif not page.can_post:
            reason = "You cannot create content on this Page."
        rows.append({"page": page, "choosable": not reason, "reason": reason})
    return {
        "rows": rows,
        "pages": pages,
        "missing": missing,
        "missing_names": perms.describe([p.name for p in missing]),
        "optional_missing": optional,
        "instagram_by_login": connect_facebook.instagram_goes_by_login(
            organization=attempt.organization
        ),
    }


def facebook_choose(
    *, attempt: ConnectionAttempt, picker: dict, page_id: str, user, session
) -> SocialAccount:
    page: PageChoice | None = next((p for p in picker["pages"] if p.id == page_id), None)
    if page is None:
        raise ConnectionRefused("Choose one of the Pages listed.")
    if picker["missing"]:
        raise ConnectionRefused(
            f"Facebook did not grant {picker['missing_names']}, without which nothing can be "
            "posted. Use “Grant the missing permissions” first."
        )
    account = connect_facebook.page_connect(
        organization=attempt.organization,
        user=user,
        page=page,
        facebook_user=attempt.facebook_user_id,
    )
    connect_state.attempt_finish(session=session, attempt=attempt)
    return account


def connected_words(*, account: SocialAccount) -> str:
    instagram = (
        f"Instagram @{account.instagram_username}"
        if account.instagram_username
        else "no Instagram account linked"
    )
    return f"Connected: {account.page_name}, {instagram}."


def facebook_disconnect(*, organization: Organization) -> str:
    """Revoke the grant at Meta, then delete the Page and its token; answers a note in words."""
    account = services.account_for(organization=organization)
    if account is None:
        return ""
    note = connect_facebook.revoke(account=account) if account.has_token else ""
    with transaction.atomic():
        SocialAccount.objects.filter(pk=account.pk).delete()
    logger.info("Dealership %s disconnected Page %s.", organization.pk, account.page_id)
    return note


def instagram_receive(
    *, attempt: ConnectionAttempt, code: str, redirect_uri: str, user, session
) -> InstagramLogin:
    found = connect_instagram.exchange_code(code=code, redirect_uri=redirect_uri)
    login = connect_instagram.login_connect(
        organization=attempt.organization, user=user, found=found
    )
    connect_state.attempt_finish(session=session, attempt=attempt)
    return login


def instagram_disconnect(*, organization: Organization) -> str:
    """Delete the Instagram Login token and row.

    Meta documents no endpoint that revokes an Instagram Login grant, so the person
    is told where to remove the app themselves.
    """
    deleted, _ = InstagramLogin.objects.for_org(organization).delete()
    if not deleted:
        return ""
    return (
        "The token is deleted here. To remove Dealer Media from the account as well, open "
        "Instagram → Settings → Website permissions → Apps and websites."
    )


def check_now(*, organization: Organization) -> list[str]:
    lines = []
    for connection in (
        services.account_for(organization=organization),
        services.instagram_login_for(organization=organization),
    ):
        if connection is None or not connection.has_token:
            continue
        reason = health.check(connection)
        lines.append(reason or f"{connection}: working.")
    return lines or ["Nothing is connected yet."]
