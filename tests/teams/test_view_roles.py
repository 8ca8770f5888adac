"""The roles table of views (dealer_media/tenancy/view_roles.py) against the URLconf and the views.

The URLconf is walked (``get_resolver()``, recursively), not listed by hand, so a new
view is seen. Every URL name has a row in ``VIEWS`` or a reason in ``WITHOUT_ROLE``;
each row's view is marked (``role_required``) with what the row says; and each row's
view answers anonymous, a person of no dealership, an outsider (an owner of another
dealership), a contributor, an editor (under both approval policies where that
matters) and an owner as ``roles.may`` says, refusing in words and changing nothing.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from http.cookies import SimpleCookie
from typing import NamedTuple

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from dealer_media.tenancy.models import Invitation, Membership, Organization
from dealer_media.tenancy.roles import REFUSALS, Action, may, roles_of
from dealer_media.tenancy.view_roles import NAMESPACES_WITHOUT_ROLE, VIEWS, WITHOUT_ROLE
from inventory.models import ImportRun, Vehicle
from media_content.approval_models import PreviewLink
from social.connection_views import OWNERS_ONLY
from uploads.models import Upload

from ..factories import BannerFactory, MediaContentFactory, MembershipFactory, UserFactory

Role = Membership.Role


@dataclass(frozen=True)
class Route:
    name: str | None  # "namespace:name", as reverse() takes it
    namespaces: tuple[str, ...]
    route: str
    callback: Callable
    arguments: tuple[str, ...]


def _walk(patterns, prefix="", namespaces=(), arguments=()):
    for pattern in patterns:
        found = arguments + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, found)
        else:
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            yield Route(name, namespaces, prefix + str(pattern.pattern), pattern.callback, found)


@cache
def routes() -> tuple[Route, ...]:
    return tuple(_walk(get_resolver().url_patterns))


def route_named(name: str) -> Route:
    return next(route for route in routes() if route.name == name)


def _outside_the_roles(route: Route) -> bool:
    return bool(route.namespaces) and route.namespaces[0] in NAMESPACES_WITHOUT_ROLE


# ---------------------------------------------------------------- the table and the URLconf


def test_every_url_has_a_row_or_a_reason():
    problems = []
    for route in routes():
        if _outside_the_roles(route):
            continue
        if route.name is None:
            problems.append(f"/{route.route}: has no URL name, so no row in the roles table")
        elif route.name in VIEWS and route.name in WITHOUT_ROLE:
            problems.append(f"{route.name}: both in VIEWS and in WITHOUT_ROLE")
        elif route.name not in VIEWS and route.name not in WITHOUT_ROLE:
            problems.append(
                f"{route.name} (/{route.route}): not in the roles table: give it a row in "
                "VIEWS (dealer_media/tenancy/view_roles.py) and role_required(...) on the "
                "view, or a reason in WITHOUT_ROLE"
            )
    names = {route.name for route in routes()}
    problems += [
        f"{name}: a row for a URL name the URLconf does not have"
        for name in sorted((set(VIEWS) | set(WITHOUT_ROLE)) - names)
    ]
    problems += [
        f"{name}: no reason given" for name, why in WITHOUT_ROLE.items() if not why.reason.strip()
    ]
    assert not problems, "\n".join(problems)


def test_each_view_is_marked_as_its_row_says():
    """``role_required`` marks the view; the table must say the same (and no more)."""
    problems = []
    for route in routes():
        marked = roles_of(route.callback)
        if route.name in VIEWS and marked != VIEWS[route.name]:
            problems.append(
                f"{route.name}: the view is marked {marked}, the table says "
                f"{VIEWS[route.name]}: wrap the view in role_required(...) as the table says"
            )
        elif route.name in WITHOUT_ROLE and marked is not None:
            problems.append(f"{route.name}: needs no role by WITHOUT_ROLE, but is marked {marked}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- what the views answer


class Plain(NamedTuple):
    """A URL argument that names no object (sent as it is)."""

    value: str


# What each URL argument names: an object of Sunrise (a SunriseObjects attribute; its
# pk is sent) or a plain value. The URL name's own entry first, else its namespace's.
URL_ARGUMENTS: dict[str, dict[str, str | Plain]] = {
    "media_content": {"pk": "media", "link_id": "preview_link", "upload_id": "upload"},
    "banners": {"pk": "banner"},
    "inventory": {"pk": "vehicle", "kind": Plain("just_arrived")},
    "inventory:held_run_decide": {"pk": "held_import", "decision": Plain("refuse")},
    "team_invitation_resend": {"pk": "invitation"},
    "team_invitation_revoke": {"pk": "invitation"},
    "team_member_role": {"pk": "member"},
    "team_member_remove": {"pk": "member"},
}
# Sent with every request to these URLs (a tus client's own header).
REQUEST_HEADERS = {
    "media_content:tus_collection": {"HTTP_TUS_RESUMABLE": "1.0.0"},
    "media_content:tus_upload": {"HTTP_TUS_RESUMABLE": "1.0.0"},
}
# Methods tried besides GET, POST and the row's own.
MORE_METHODS = {"media_content:tus_upload": ("HEAD", "PATCH", "DELETE")}
METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]  # the destructive ones last


class SunriseObjects:
    """Sunrise's objects a URL can name, made when first asked for."""

    def __init__(self, organization: Organization):
        self.organization = organization

    @cached_property
    def media(self):
        return MediaContentFactory(organization=self.organization, title="Walked draft")

    @cached_property
    def preview_link(self):
        return PreviewLink.objects.create(
            organization=self.organization,
            media=self.media,
            nonce=uuid.uuid4().hex,
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )

    @cached_property
    def upload(self):
        return Upload.objects.create(
            organization=self.organization,
            length=100,
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )

    @cached_property
    def banner(self):
        return BannerFactory(organization=self.organization, title="Walked banner")

    @cached_property
    def vehicle(self):
        now = timezone.now()
        return Vehicle.objects.create(
            first_seen_at=now,
            updated_at=now,
            organization=self.organization,
            vin="1HGCM82633A004352",
            make="Honda",
            model="Accord",
            year=2021,
            price=21000,
        )

    @cached_property
    def held_import(self):
        """An import that would mark most of the stock sold, waiting for the dealer's answer."""
        return ImportRun.objects.create(
            organization=self.organization,
            origin=ImportRun.Origin.UPLOAD,
            status=ImportRun.Status.HELD,
            held_sold=4,
            started_at=timezone.now(),
        )

    @cached_property
    def invitation(self):
        now = timezone.now()
        return Invitation.objects.create(
            organization=self.organization,
            email="invited@sunrise.example",
            role=Role.EDITOR,
            nonce=uuid.uuid4().hex,
            sent_at=now,
            expires_at=now + datetime.timedelta(days=7),
        )

    @cached_property
    def member(self):
        user = UserFactory(username="sunrise-member")
        return MembershipFactory(organization=self.organization, role=Role.EDITOR, user=user)


def url_for(name: str, objects: SunriseObjects) -> tuple[str, bool]:
    """The URL's path with real arguments, and whether it names an object of Sunrise."""
    route = route_named(name)
    entry = URL_ARGUMENTS.get(name)
    if entry is None and route.namespaces:
        entry = URL_ARGUMENTS.get(route.namespaces[-1])
    kwargs, names_an_object = {}, False
    for argument in route.arguments:
        what = (entry or {}).get(argument)
        if what is None:
            pytest.fail(f"{name}: say in URL_ARGUMENTS what its <{argument}> names")
        if isinstance(what, Plain):
            kwargs[argument] = what.value
        else:
            kwargs[argument] = getattr(objects, what).pk
            names_an_object = True
    return reverse(name, kwargs=kwargs), names_an_object


# Tables a request may change without changing anything of a dealership.
NOT_WATCHED = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


def snapshot() -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row of every table (plain SQL: a few hundred of these run, so they must be cheap)."""
    state = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in NOT_WATCHED:
                continue
            # The table names come from the database itself.
            query = f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1"  # noqa: S608
            cursor.execute(query)
            columns = [column[0] for column in cursor.description]
            state[table] = (columns, cursor.fetchall())
    return state


def of_dealership(state: dict, organization: Organization) -> dict:
    """The rows of one dealership: its own row and its rows in the tenant tables."""
    mine = {}
    for table, (columns, rows) in state.items():
        if table == Organization._meta.db_table:
            at, value = columns.index("id"), organization.pk
        elif "organization_id" in columns:
            at, value = columns.index("organization_id"), organization.pk
        else:
            continue
        mine[table] = [row for row in rows if row[at] == value]
    return mine


def changes(before: dict, after: dict) -> list[str]:
    return [table for table in before if before[table] != after.get(table)]


WHO = [
    "anonymous",
    "no dealership",  # signed in, a member of none
    "outsider",  # an owner of Lakeside
    "contributor",
    "editor",
    "editor, approval asked",  # editors' own posts need approval: they neither publish nor approve
    "owner",
]
DEPENDS_ON_POLICY = {Action.PUBLISH, Action.APPROVE}


def _cases():
    for name, row in sorted(VIEWS.items()):
        for who in WHO:
            if who == "editor, approval asked" and not row.actions() & DEPENDS_ON_POLICY:
                continue  # the same answers as "editor"
            yield pytest.param(name, who, id=f"{name}-{who}")


@pytest.fixture(scope="module")
def walker() -> Client:
    """One client for the whole walk: each new one loads the middleware again (WhiteNoise
    scans the static files), which costs more than the requests themselves."""
    return Client()


def sign_in(client: Client, who: str, sunrise: Organization) -> Membership | None:
    client.cookies = SimpleCookie()  # signed out: the last test's session is not sent
    if who == "anonymous":
        return None
    if who == "no dealership":
        user = UserFactory(username="nobody")
        membership = None
    elif who == "outsider":
        lakeside = Organization.objects.create(name="Lakeside Auto", slug="lakeside-auto")
        membership = MembershipFactory(
            organization=lakeside, role=Role.OWNER, user=UserFactory(username="lakeside-owner")
        )
        user = membership.user
    else:
        if who == "editor, approval asked":
            sunrise.approval_policy = Organization.ApprovalPolicy.ALL_BUT_OWNERS
            sunrise.save(update_fields=["approval_policy"])
        role = who.split(",")[0]
        membership = MembershipFactory(
            organization=sunrise, role=role, user=UserFactory(username=f"sunrise-{role}")
        )
        user = membership.user
    client.force_login(user)
    return membership


def send(client: Client, name: str, method: str, path: str, *, json: bool = False):
    extra = dict(REQUEST_HEADERS.get(name, {}))
    if json:
        extra["HTTP_ACCEPT"] = "application/json"
    return client.generic(method, path, **extra)


def methods_for(name: str) -> list[str]:
    tried = {"GET", "POST", *VIEWS[name].methods, *MORE_METHODS.get(name, ())}
    return sorted(tried, key=METHOD_ORDER.index)


def _said(response) -> str:
    return f"{response.status_code} {response.get('Location', '')} {response.content[:300]!r}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "who"), list(_cases()))
def test_the_view_answers_as_the_table_says(walker, name, who, sunrise):
    row = VIEWS[name]
    objects = SunriseObjects(sunrise)
    path, names_an_object = url_for(name, objects)
    client = walker
    membership = sign_in(client, who, sunrise)
    login_url = resolve_url(settings.LOGIN_URL)
    answered = []  # methods the view did not refuse with 405
    after = snapshot()
    for method in methods_for(name):
        before = after
        response = send(client, name, method, path)
        after = snapshot()
        said = f"{who} {method} {path} ({name}): {_said(response)}"
        if response.status_code == 405:
            assert not changes(before, after), said
            continue
        answered.append(method)
        if who == "anonymous":
            signing_in = response.status_code == 302 and response["Location"].startswith(
                login_url + "?"
            )
            assert signing_in or response.status_code == 401, said
        elif who == "no dealership":  # not found, when the URL names another's object
            assert response.status_code in ((403, 404) if names_an_object else (403,)), said
        elif who == "outsider" and names_an_object:
            assert response.status_code == 404, said
        elif who == "outsider":  # its own dealership's page, as its owner
            assert response.status_code != 403, said
            sunrise_before, sunrise_after = (
                of_dealership(before, sunrise),
                of_dealership(after, sunrise),
            )
            assert not changes(sunrise_before, sunrise_after), said
            continue
        else:
            needed = row.action_for(method)
            if may(membership, needed):
                assert response.status_code != 403, said
                assert not response.get("Location", "").startswith(login_url), said
                continue
            assert response.status_code == 403, f"{said}; {who} may not {needed}"
            as_json = send(client, name, method, path, json=True)
            after = snapshot()
            assert as_json.status_code == 403, _said(as_json)
            reason = as_json.json()["error"]
            assert reason in (REFUSALS[needed], OWNERS_ONLY), _said(as_json)
            assert as_json.json()["errors"] == {"__all__": [reason]}, _said(as_json)
            if method != "HEAD":
                assert escape(reason) in response.content.decode(), said
        assert not changes(before, after), f"{said}: changed {changes(before, after)}"
    assert answered, f"{name}: every method tried answered 405 to {who}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted(name for name, why in WITHOUT_ROLE.items() if why.signed_in)
)
def test_views_for_anyone_signed_in_send_anonymous_to_sign_in(walker, name):
    path, _ = url_for(name, objects=None)
    login_url = resolve_url(settings.LOGIN_URL)
    walker.cookies = SimpleCookie()
    for method in ("GET", "POST"):
        response = walker.generic(method, path)
        if response.status_code != 405:
            assert response.status_code == 302, _said(response)
            assert response["Location"].startswith(login_url + "?"), _said(response)
