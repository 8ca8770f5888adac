"""What each role of a dealership may do: one table, asked by views, services and the admin.

``may(who, action)`` answers; ``require(who, action)`` raises ``PermissionDenied``
with the reason in words (services call it); ``role_required(action)`` wraps a
portal view and answers 403 in words; templates get ``can.<action>`` from the
context processor, so a button a role may not use is not shown.

Every portal view says what it needs: ``role_required`` marks the view with its
``ViewRoles`` (``roles_of(view)``), and ``view_roles.py`` next to this module has
the table of every URL name and what it needs, or why it needs no role.
``tests/teams/test_view_roles.py`` walks the URLconf and holds the three together.

``who`` is a ``Membership``, a role name, or ``None`` (no role: nothing allowed).
A superuser acting for a dealership they do not belong to counts as its owner.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .decorators import organization_required
from .models import Membership, Organization

Role = Membership.Role


class Action(StrEnum):
    VIEW = "view"  # the library, calendar, history, banners and team, read-only
    DRAFT = "draft"  # upload, save and edit drafts
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    PUBLISH = "publish"  # schedule and post now without approval
    EDIT_POSTS = "edit_posts"  # change scheduled or posted items, retry, delete
    SHARE_PREVIEW = "share_preview"  # make and revoke preview links
    MANAGE_BANNERS = "manage_banners"
    MANAGE_CATALOGS = "manage_catalogs"  # the vehicle catalogs' secret URLs and what they carry
    APPROVE = "approve"  # approve or send back (editors only when the dealership says so)
    MANAGE_TEAM = "manage_team"  # invite, resend, revoke, change roles, remove
    CHANGE_CONNECTIONS = "change_connections"  # the Facebook and Instagram connections
    CHANGE_SETTINGS = "change_settings"  # inventory rules, approval settings


_EVERYONE = {Role.OWNER, Role.EDITOR, Role.CONTRIBUTOR}
_EDITORS = {Role.OWNER, Role.EDITOR}
_OWNERS = {Role.OWNER}

ALLOWED: dict[Action, set[str]] = {
    Action.VIEW: _EVERYONE,
    Action.DRAFT: _EVERYONE,
    Action.SUBMIT_FOR_APPROVAL: _EVERYONE,
    Action.PUBLISH: _EDITORS,  # editors not when the dealership asks approval of them
    Action.EDIT_POSTS: _EDITORS,
    Action.SHARE_PREVIEW: _EDITORS,
    Action.MANAGE_BANNERS: _EDITORS,
    Action.MANAGE_CATALOGS: _EDITORS,
    Action.APPROVE: _EDITORS,  # narrowed for editors by the dealership's approval policy
    Action.MANAGE_TEAM: _OWNERS,
    Action.CHANGE_CONNECTIONS: _OWNERS,
    Action.CHANGE_SETTINGS: _OWNERS,
}

# Why not, in words: the 403 page, the JSON error and PermissionDenied all say this.
REFUSALS: dict[Action, str] = {
    Action.VIEW: "You are not a member of this dealership.",
    Action.DRAFT: "You are not a member of this dealership.",
    Action.SUBMIT_FOR_APPROVAL: "You are not a member of this dealership.",
    Action.PUBLISH: "Your role cannot publish or schedule posts directly. Save it as a "
    "draft and submit it for approval.",
    Action.EDIT_POSTS: "Only owners and editors can delete items, retry posts, or change "
    "posts that are scheduled or have gone out.",
    Action.SHARE_PREVIEW: "Only owners and editors can share preview links.",
    Action.MANAGE_BANNERS: "Only owners and editors can change the website's banners.",
    Action.MANAGE_CATALOGS: "Only owners and editors can see and change the vehicle catalogs "
    "that Meta, Google and TikTok read.",
    Action.APPROVE: "Only the dealership's approvers can approve posts or send them back.",
    Action.MANAGE_TEAM: "Only owners can invite people, change roles or remove members.",
    Action.CHANGE_CONNECTIONS: "Only owners can change the dealership's Facebook and "
    "Instagram connections.",
    Action.CHANGE_SETTINGS: "Only owners can change the dealership's settings.",
}


def _role_and_organization(who) -> tuple[str | None, Organization | None]:
    if isinstance(who, Membership):
        return who.role, who.organization
    return who, None


def may(who: Membership | str | None, action: Action | str) -> bool:
    """Whether this membership (or role) may do ``action`` in its dealership."""
    action = Action(action)
    role, organization = _role_and_organization(who)
    if role not in ALLOWED[action]:
        return False
    if action in (Action.APPROVE, Action.PUBLISH) and role == Role.EDITOR:
        # When approval is asked of contributors alone, editors publish and approve;
        # when editors' own posts need approval, they submit and only owners approve.
        return organization is None or organization.editors_approve
    return True


def every_member_may(action: Action | str) -> bool:
    """Whether every role may do ``action``: then acting for the dealership is enough."""
    return ALLOWED[Action(action)] >= set(Role.values)


def require(who: Membership | str | None, action: Action | str) -> None:
    """Raise ``PermissionDenied`` with the reason in words unless ``may(who, action)``."""
    if not may(who, action):
        raise PermissionDenied(REFUSALS[Action(action)])


def membership_for(*, user, organization: Organization | None) -> Membership | None:
    """The person's membership of the dealership; a superuser who is not a member is its owner."""
    if organization is None or user is None or not user.is_authenticated or not user.is_active:
        return None
    membership = (
        Membership.objects.filter(user=user, organization=organization)
        .select_related("organization")
        .first()
    )
    if membership is None and user.is_superuser:
        membership = Membership(user=user, organization=organization, role=Role.OWNER)
    return membership


def request_membership(request: HttpRequest) -> Membership | None:
    """The membership the request acts with (looked up once per request)."""
    if not hasattr(request, "_membership"):
        request._membership = membership_for(
            user=getattr(request, "user", None),
            organization=getattr(request, "organization", None),
        )
    return request._membership


def abilities(membership: Membership | None) -> dict[str, bool]:
    """``{"publish": True, ...}`` for templates (``can.publish``)."""
    return {action.value: may(membership, action) for action in Action}


def refused(request: HttpRequest, message: str) -> HttpResponse:
    """403 in words: JSON when asked for it (the portal's error shape), else a page."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": message, "errors": {"__all__": [message]}}, status=403)
    return render(request, "marketing/forbidden.html", {"reason": message}, status=403)


def refusal(request: HttpRequest, action: Action) -> HttpResponse | None:
    """The 403 answer when the request's role may not do ``action``, else None (go on)."""
    if may(request_membership(request), action):
        return None
    return refused(request, REFUSALS[action])


def refusal_to_schedule(request: HttpRequest) -> HttpResponse | None:
    """A form asking to post now or schedule (``schedule_mode``) needs the right to publish."""
    if (request.POST.get("schedule_mode") or "draft") == "draft":
        return None
    return refusal(request, Action.PUBLISH)


HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ViewRoles:
    """What a portal view needs: ``action``, or for some methods another (``POST=...``).

    ``ViewRoles(Action.VIEW, POST=Action.MANAGE_BANNERS)``: reading the page is
    everyone's, sending its form an editor's. HEAD needs what GET needs.
    """

    __slots__ = ("action", "methods")

    def __init__(self, action: Action, /, **methods: Action) -> None:
        unknown = set(methods) - HTTP_METHODS
        if unknown:
            raise ValueError(f"Not HTTP methods: {', '.join(sorted(unknown))}.")
        self.action = Action(action)
        self.methods = {method: Action(needed) for method, needed in methods.items()}

    def action_for(self, method: str) -> Action:
        method = method.upper()
        if method == "HEAD" and "HEAD" not in self.methods:
            method = "GET"
        return self.methods.get(method, self.action)

    def actions(self) -> set[Action]:
        return {self.action, *self.methods.values()}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ViewRoles):
            return NotImplemented
        return (self.action, self.methods) == (other.action, other.methods)

    def __hash__(self) -> int:
        return hash((self.action, tuple(sorted(self.methods.items()))))

    def __repr__(self) -> str:
        methods = "".join(f", {method}={needed!s}" for method, needed in self.methods.items())
        return f"ViewRoles({self.action!s}{methods})"


def roles_of(view: Callable) -> ViewRoles | None:
    """What the view (as the URLconf has it) is marked to need, or None: not a role's view.

    A function view gets its mark from ``role_required`` (decorators that use
    ``functools.wraps`` outside it carry it on); a class-based view has it as
    ``view_roles`` on its class.
    """
    marked = getattr(view, "view_roles", None)
    if marked is None:
        marked = getattr(getattr(view, "view_class", None), "view_roles", None)
    return marked if isinstance(marked, ViewRoles) else None


def role_required(
    action: Action,
    /,
    *,
    refuse: Callable[[HttpRequest, str], HttpResponse] = refused,
    **methods: Action,
) -> Callable:
    """Portal views: signed in, acting for a dealership, and allowed ``action`` there.

    ``POST=Action.MANAGE_BANNERS`` (any method): what that method needs instead.
    ``refuse(request, reason)`` answers a refusal (default: ``refused``, 403 in words).
    The view is marked with its ``ViewRoles``, which the table in ``view_roles.py``
    must repeat (the walking test compares them).
    """
    needs = ViewRoles(action, **methods)

    def decorate(view: Callable) -> Callable:
        @organization_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            needed = needs.action_for(request.method)
            if not may(request_membership(request), needed):
                return refuse(request, REFUSALS[needed])
            return view(request, *args, **kwargs)

        wrapper.view_roles = needs
        return wrapper

    return decorate
