"""The roles table of views: every URL name, and the action it needs or why it needs none.

Owned by ``roles.py`` (its vocabulary: ``Action``, ``ViewRoles``). A portal view
gets its role from ``role_required(action, POST=...)``, which marks the view with
the same ``ViewRoles`` this table gives its URL name. The walking test,
``tests/teams/test_view_roles.py``, fails for a URL name in neither ``VIEWS`` nor
``WITHOUT_ROLE``, for a view whose mark differs from its row, and for any answer
to anonymous, an outsider, a contributor, an editor or an owner other than
``may`` gives. A row names the least a view needs; some views ask more inside
(noted): a contributor edits only drafts, and scheduling needs PUBLISH.
"""

from typing import NamedTuple

from .roles import Action, ViewRoles

VIEWS: dict[str, ViewRoles] = {
    # The library, its items and their approval (media_content/urls.py).
    "media_content:library": ViewRoles(Action.VIEW, POST=Action.DRAFT),  # PUBLISH to schedule
    "media_content:compose": ViewRoles(Action.DRAFT),  # PUBLISH to post now or schedule
    "media_content:items": ViewRoles(Action.DRAFT),  # EDIT_POSTS unless a draft
    "media_content:media_refresh": ViewRoles(Action.VIEW),  # asks Meta for the state: read-only
    "media_content:get": ViewRoles(Action.VIEW),
    "media_content:update": ViewRoles(Action.DRAFT),  # EDIT_POSTS unless a draft
    "media_content:delete": ViewRoles(Action.EDIT_POSTS),
    "media_content:retry": ViewRoles(Action.EDIT_POSTS),
    # A draft goes out: PUBLISH inside, or held for approval where the role needs it.
    "media_content:publish": ViewRoles(Action.DRAFT),
    "media_content:schedule": ViewRoles(Action.DRAFT),
    "media_content:duplicate": ViewRoles(Action.DRAFT),
    # The file library (media_content/file_views.py).
    "media_content:files": ViewRoles(Action.VIEW),
    "media_content:file_get": ViewRoles(Action.VIEW),
    "media_content:file_delete": ViewRoles(Action.EDIT_POSTS),
    "media_content:approval": ViewRoles(Action.VIEW),
    "media_content:ribbon_remove": ViewRoles(Action.DRAFT),  # EDIT_POSTS unless a draft
    "media_content:approval_submit": ViewRoles(Action.SUBMIT_FOR_APPROVAL),
    "media_content:approval_approve": ViewRoles(Action.APPROVE),
    "media_content:approval_send_back": ViewRoles(Action.APPROVE),
    "media_content:preview_create": ViewRoles(Action.SHARE_PREVIEW),
    "media_content:preview_revoke": ViewRoles(Action.SHARE_PREVIEW),
    "media_content:history": ViewRoles(Action.VIEW),
    "media_content:calendar": ViewRoles(Action.VIEW),
    # tus: a class-based view (TusView.view_roles); anonymous gets 401, OPTIONS is open.
    "media_content:tus_collection": ViewRoles(Action.DRAFT),
    "media_content:tus_upload": ViewRoles(Action.DRAFT),
    "media_content:complete_chunk_upload": ViewRoles(Action.DRAFT),  # PUBLISH to schedule
    # The website's banners (banners/portal_urls.py).
    "banners:list": ViewRoles(Action.VIEW, POST=Action.MANAGE_BANNERS),
    "banners:reorder": ViewRoles(Action.MANAGE_BANNERS),
    "banners:embed_key_rotate": ViewRoles(Action.MANAGE_BANNERS),
    "banners:update": ViewRoles(Action.MANAGE_BANNERS),
    "banners:delete": ViewRoles(Action.MANAGE_BANNERS),
    # The team (tenancy/team_urls.py).
    "team": ViewRoles(Action.VIEW),
    "team_invite": ViewRoles(Action.MANAGE_TEAM),
    "team_invitation_resend": ViewRoles(Action.MANAGE_TEAM),
    "team_invitation_revoke": ViewRoles(Action.MANAGE_TEAM),
    "team_member_role": ViewRoles(Action.MANAGE_TEAM),
    "team_member_remove": ViewRoles(Action.MANAGE_TEAM),
    # Facebook and Instagram (social/urls.py): owners change, everyone reads.
    "social:connections": ViewRoles(Action.VIEW),
    "social:check_now": ViewRoles(Action.CHANGE_CONNECTIONS),
    "social:facebook_start": ViewRoles(Action.CHANGE_CONNECTIONS),
    "social:facebook_callback": ViewRoles(Action.CHANGE_CONNECTIONS),
    "social:facebook_pages": ViewRoles(Action.CHANGE_CONNECTIONS),
    "social:facebook_disconnect": ViewRoles(Action.CHANGE_CONNECTIONS),
    "social:instagram_start": ViewRoles(Action.CHANGE_CONNECTIONS),
    "social:instagram_callback": ViewRoles(Action.CHANGE_CONNECTIONS),
    "social:instagram_disconnect": ViewRoles(Action.CHANGE_CONNECTIONS),
    # Inventory (inventory/urls.py).
    "inventory:list": ViewRoles(Action.VIEW),
    "inventory:settings": ViewRoles(Action.VIEW, POST=Action.CHANGE_SETTINGS),
    "inventory:upload": ViewRoles(Action.CHANGE_SETTINGS),
    "inventory:fetch": ViewRoles(Action.CHANGE_SETTINGS),
    "inventory:vehicle_post": ViewRoles(Action.DRAFT),
    "inventory:vehicle_reel": ViewRoles(Action.DRAFT),
    "inventory:caption_preview": ViewRoles(Action.VIEW),
    "inventory:rule_save": ViewRoles(Action.CHANGE_SETTINGS),
    "inventory:posting_times": ViewRoles(Action.CHANGE_SETTINGS),
    "inventory:brand": ViewRoles(Action.CHANGE_SETTINGS),
    "inventory:columns": ViewRoles(Action.CHANGE_SETTINGS),
    "inventory:kept_discard": ViewRoles(Action.CHANGE_SETTINGS),
    "inventory:held_run_decide": ViewRoles(Action.CHANGE_SETTINGS),
    "inventory:sample_csv": ViewRoles(Action.VIEW),
    # The vehicle catalogs (inventory/catalogs/pages.py).
    "inventory:catalogs": ViewRoles(Action.MANAGE_CATALOGS),
    "inventory:catalogs_rotate": ViewRoles(Action.MANAGE_CATALOGS),
    "inventory:catalogs_settings": ViewRoles(Action.MANAGE_CATALOGS),
    "inventory:dealership": ViewRoles(Action.CHANGE_SETTINGS),
}


class NoRole(NamedTuple):
    """A view that no dealership's role governs, and why."""

    signed_in: bool  # True: any signed-in person (anonymous is sent to sign in); False: public
    reason: str


def _public(reason: str) -> NoRole:
    return NoRole(signed_in=False, reason=reason)


def _signed_in(reason: str) -> NoRole:
    return NoRole(signed_in=True, reason=reason)


WITHOUT_ROLE: dict[str, NoRole] = {
    # Signing in and out, and one's own password.
    "login": _public("The sign-in page: nobody is signed in yet."),
    "logout": _public("Signing out ends one's own session, whoever asks."),
    "password_reset": _public("Asking for a reset email; limited per email and client."),
    "password_reset_done": _public("The 'check your inbox' page, the same for everyone."),
    "password_reset_confirm": _public("The emailed link's signed token is the permission."),
    "password_reset_complete": _public("The 'password changed' page after the link."),
    "password_change": _signed_in("One's own password: an account's, not a dealership's."),
    "password_change_done": _signed_in("The page after changing one's own password."),
    "invitation_accept": _public(
        "The emailed invitation: its signed token is the permission, and it makes the account."
    ),
    "switch_organization": _signed_in(
        "Chooses among the person's own dealerships (others are not found): no role involved."
    ),
    # Pages for people who never sign in.
    "preview": _public(
        "The shared preview link: its signed, revocable token shows that post only."
    ),
    "home": _public(
        "A dealer's website homepage by host name; elsewhere a redirect to the portal."
    ),
    "banners_site:demo_site": _public("The demo dealer website: public banners only."),
    "favicon": _public("Browsers ask every site for it."),
    "health": _public("For load balancers and monitoring (dealer_media/ops/health.py)."),
    "media": _public("Local media files for development (SERVE_MEDIA); the files are public."),
    # The website embed: the public key in the URL is the permission, and rotating it ends it.
    "embed:carousel_js": _public("The website embed's script, by public key."),
    "embed:carousel_html": _public("The website embed's iframe page, by public key."),
    "embed:banners_json": _public("The website embed's JSON feed, by public key."),
    "embed:events": _public("The website embed's impression and click beacons, by public key."),
    "embed:go": _public("A banner's click-through redirect, by public key."),
    # The vehicle catalogs: the secret token in the URL is the permission; rotating it ends it.
    "catalog_file": _public("A vehicle catalog Meta, Google or TikTok fetches, by secret token."),
    "catalog_photo": _public("A vehicle's photo in a catalog, by the catalog's secret token."),
    # Meta calls these itself, with a signed request (social/meta_callbacks.py).
    "social:meta_deauthorize": _public("Meta's deauthorize callback: a signed request."),
    "social:meta_data_deletion": _public("Meta's data deletion callback: a signed request."),
    "social:meta_deletion_status": _public("The deletion status page Meta links to, by its code."),
}

# Whole URL namespaces outside the portal's roles.
NAMESPACES_WITHOUT_ROLE: dict[str, str] = {
    "admin": "Django's admin: staff sign-in and model permissions; every admin is built on "
    "admin_bases (TenantModelAdmin asks the role in each row's dealership), walked by "
    "tests/test_admin_registry.py.",
}
