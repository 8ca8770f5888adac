"""Every model in the admin keeps each dealership's rows to itself, and roles to their rights.

Walks ``admin.site._registry``: each admin must be built on ``TenantModelAdmin``
(a dealership's rows) or ``SuperuserOnlyAdmin`` (rows of no dealership), or be
the user admin, whose rules follow memberships (``EXCEPTIONS``). Then, with one
row of the model made for Sunrise (``tests/admin_rows.py``; a model without a
builder fails here), it checks what the admin actually does:

- Lakeside's staff, holding every permission, see none of Sunrise's rows and
  cannot open their change, delete or history pages, nor post to them;
- Sunrise's staff contributor, holding every permission, neither changes nor
  deletes the row;
- a superuser opens it (so the checks above are not passing on broken pages).

``test_an_admin_without_the_base_fails`` runs the same walk over a site where a
plain ``ModelAdmin`` shows vehicles, and expects it to be caught.
"""

import sys
import types

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, override_settings
from django.urls import URLResolver, clear_url_caches, path, reverse

from dealer_media.accounts.admin import DealershipUserAdmin
from dealer_media.tenancy.admin_bases import SuperuserOnlyAdmin, TenantInline, TenantModelAdmin

from .admin_rows import ROWS
from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# Admins that are neither base, and why.
EXCEPTIONS = {
    # People belong to dealerships through memberships, not a foreign key: viewing follows
    # shared dealerships; changing needs ownership of every one of theirs.
    "auth.User": DealershipUserAdmin,
}

REGISTERED = sorted(model._meta.label for model in admin.site._registry)


def _staff(organization, username: str, role: str) -> Client:
    """A staff member of ``organization`` holding every permission there is."""
    user = MembershipFactory(
        organization=organization, user=UserFactory(username=username), role=role
    ).user
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return client


def _kept_out(response) -> bool:
    """Refused, not found, or sent back to the index (the admin's answer for a hidden row)."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def _url(row, page: str) -> str:
    return reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_{page}", args=[row.pk])


def _listed(client: Client, row) -> bool | None:
    """Whether the changelist shows the row (None: the changelist itself is refused)."""
    opts = row._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    if response.status_code == 403:
        return None
    assert response.status_code == 200, response.status_code
    return response.context["cl"].queryset.filter(pk=row.pk).exists()


def _still_there(row) -> bool:
    return type(row)._default_manager.filter(pk=row.pk).exists()


def _outsider_problems(client: Client, row) -> list[str]:
    problems = []
    if _listed(client, row):
        problems.append("another dealership's staff see the row in the list")
    for page in ("change", "delete", "history"):
        if not _kept_out(client.get(_url(row, page))):
            problems.append(f"another dealership's staff open its {page} page")
    if not _kept_out(client.post(_url(row, "change"), {})):
        problems.append("another dealership's staff post to its change page")
    client.post(_url(row, "delete"), {"post": "yes"})
    if not _still_there(row):
        problems.append("another dealership's staff deleted it")
    return problems


def _contributor_problems(client: Client, row) -> list[str]:
    problems = []
    page = client.get(_url(row, "change"))
    if not _kept_out(page) and 'name="_save"' in page.content.decode():
        problems.append("a contributor is offered its change form")
    if not _kept_out(client.post(_url(row, "change"), {})):
        problems.append("a contributor may post its change form")
    if not _kept_out(client.get(_url(row, "delete"))):
        problems.append("a contributor opens its delete page")
    client.post(_url(row, "delete"), {"post": "yes"})
    if not _still_there(row):
        problems.append("a contributor deleted it")
    return problems


def admin_problems(site: admin.AdminSite, label: str, *, sunrise, lakeside) -> list[str]:
    """What is wrong with how ``site`` shows the model ``label``, in words."""
    model = next(m for m in site._registry if m._meta.label == label)
    model_admin = site._registry[model]
    problems = []
    on_a_base = isinstance(model_admin, TenantModelAdmin | SuperuserOnlyAdmin)
    if not on_a_base and type(model_admin) is not EXCEPTIONS.get(label):
        problems.append(
            f"{type(model_admin).__name__} is built on neither TenantModelAdmin nor "
            "SuperuserOnlyAdmin (dealer_media/tenancy/admin_bases.py)"
        )
    for inline in model_admin.inlines if isinstance(model_admin, TenantModelAdmin) else []:
        if not issubclass(inline, TenantInline):
            problems.append(f"its inline {inline.__name__} is not a TenantInline")
    builder = ROWS.get(label)
    if builder is None:
        return [*problems, "no row builder in tests/admin_rows.py: add one"]
    row = builder(sunrise)
    root = Client()
    root.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    if root.get(_url(row, "change")).status_code != 200:
        problems.append("a superuser cannot open its change page")
    problems += _outsider_problems(_staff(lakeside, "lakeside-staff", "owner"), row)
    if not _still_there(row):
        return problems  # nothing left to check the rest with
    problems += _contributor_problems(_staff(sunrise, "sunrise-contributor", "contributor"), row)
    owner = _staff(sunrise, "sunrise-owner", "owner")
    if isinstance(model_admin, TenantModelAdmin) and not _listed(owner, row):
        problems.append("its own dealership's owner does not see the row")
    return problems


@pytest.mark.parametrize("label", REGISTERED)
def test_every_admin_keeps_dealerships_apart(label, sunrise, lakeside):
    assert admin_problems(admin.site, label, sunrise=sunrise, lakeside=lakeside) == []


def test_every_admin_has_a_row_builder():
    assert sorted(set(REGISTERED) - set(ROWS)) == []


@pytest.fixture
def site_with_a_plain_admin():
    """The project's URLs, with an admin site where vehicles have a plain ModelAdmin."""
    import dealer_media.urls
    from inventory.models import Vehicle

    site = admin.AdminSite(name="admin")
    site.register(Vehicle, admin.ModelAdmin)
    urlconf = types.ModuleType("tests_plain_admin_urls")
    urlconf.urlpatterns = [
        path("admin/", site.urls),
        *[
            pattern
            for pattern in dealer_media.urls.urlpatterns
            if not (isinstance(pattern, URLResolver) and pattern.app_name == "admin")
        ],
    ]
    sys.modules[urlconf.__name__] = urlconf
    clear_url_caches()
    try:
        with override_settings(ROOT_URLCONF=urlconf.__name__):
            yield site
    finally:
        del sys.modules[urlconf.__name__]
        clear_url_caches()


# A plain ModelAdmin has not the base's https default for URL fields.
@pytest.mark.filterwarnings("ignore:The default scheme will be changed")
def test_an_admin_without_the_base_fails(site_with_a_plain_admin, sunrise, lakeside):
    problems = admin_problems(
        site_with_a_plain_admin, "inventory.Vehicle", sunrise=sunrise, lakeside=lakeside
    )
    assert problems[0].startswith("ModelAdmin is built on neither TenantModelAdmin")
    assert "another dealership's staff see the row in the list" in problems
    assert "another dealership's staff open its change page" in problems
    assert "another dealership's staff deleted it" in problems
