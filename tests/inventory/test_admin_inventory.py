"""The inventory admin stays inside the staff user's dealerships, and writes through the services.

Lakeside-only staff cannot list Sunrise's vehicles, open its feed source,
vehicles or import runs, or save Sunrise's feed URL as their own.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from inventory.models import ImportRun, InventorySource, Vehicle

from ..admin_rows import ROWS
from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER_URL = "https://attacker.example/feed.csv"


def _staff(organization, username: str, role: str = "owner") -> Client:
    user = MembershipFactory(
        organization=organization, user=UserFactory(username=username), role=role
    ).user
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="inventory"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lakeside_staff(lakeside) -> Client:
    return _staff(lakeside, "lakeside-staff")


def _source_form(source: InventorySource, **changes) -> dict:
    return {
        "organization": source.organization_id,
        "feed_url": source.feed_url,
        "every_minutes": source.every_minutes,
        "is_complete": "on",
        "enabled": "on",
        **changes,
    }


def test_another_dealerships_vehicles_are_not_listed(sunrise, lakeside_staff):
    vehicle = ROWS["inventory.Vehicle"](sunrise)
    page = lakeside_staff.get(reverse("admin:inventory_vehicle_changelist"))
    assert page.status_code == 200
    assert vehicle.vin not in page.content.decode()


@pytest.mark.parametrize(
    "label", ["inventory.Vehicle", "inventory.InventorySource", "inventory.ImportRun"]
)
def test_another_dealerships_rows_do_not_open(sunrise, lakeside_staff, label):
    row = ROWS[label](sunrise)
    name = f"admin:{row._meta.app_label}_{row._meta.model_name}"
    for page in ("change", "delete", "history"):
        response = lakeside_staff.get(reverse(f"{name}_{page}", args=[row.pk]))
        # Refused, or the admin's answer for a row outside what the user may see: the index.
        if response.status_code != 403:
            assert response.status_code == 302, page
            assert response["Location"] == reverse("admin:index")


def test_another_dealerships_feed_url_cannot_be_saved(sunrise, lakeside_staff):
    source = ROWS["inventory.InventorySource"](sunrise)
    url = reverse("admin:inventory_inventorysource_change", args=[source.pk])
    lakeside_staff.post(url, _source_form(source, feed_url=ATTACKER_URL))
    source.refresh_from_db()
    assert source.feed_url == "https://sunrise-motors.example/feed.csv"
    assert source.periodic_task.args == f"[{source.pk}]"


def test_another_dealership_cannot_be_given_a_feed(sunrise, lakeside, lakeside_staff):
    lakeside_staff.post(
        reverse("admin:inventory_inventorysource_add"),
        {"organization": sunrise.pk, "feed_url": ATTACKER_URL, "every_minutes": 60},
    )
    assert not InventorySource.objects.filter(organization=sunrise).exists()


def test_an_owner_saves_the_feed_through_the_service(lakeside, lakeside_staff):
    response = lakeside_staff.post(
        reverse("admin:inventory_inventorysource_add"),
        {
            "organization": lakeside.pk,
            "feed_url": "lakeside.example/feed.xml",
            "every_minutes": 30,
            "is_complete": "on",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    source = InventorySource.objects.get(organization=lakeside)
    assert source.feed_url == "https://lakeside.example/feed.xml"
    # The beat schedule that fetches it, as the portal's settings page makes it.
    assert source.periodic_task.interval.every == 30
    assert source.periodic_task.enabled


def test_a_contributor_cannot_change_the_feed(sunrise):
    source = ROWS["inventory.InventorySource"](sunrise)
    client = _staff(sunrise, "sunrise-contributor", role="contributor")
    url = reverse("admin:inventory_inventorysource_change", args=[source.pk])
    assert client.post(url, _source_form(source, feed_url=ATTACKER_URL)).status_code == 403
    source.refresh_from_db()
    assert source.feed_url != ATTACKER_URL


def test_imported_records_are_read_only(sunrise):
    vehicle = ROWS["inventory.Vehicle"](sunrise)
    run = ROWS["inventory.ImportRun"](sunrise)
    client = _staff(sunrise, "sunrise-owner")
    for row in (vehicle, run):
        name = f"admin:inventory_{row._meta.model_name}"
        assert (
            'name="_save"'
            not in client.get(reverse(f"{name}_change", args=[row.pk])).content.decode()
        )
        assert (
            client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code
            == 403
        )
    assert Vehicle.objects.filter(pk=vehicle.pk).exists()
    assert ImportRun.objects.filter(pk=run.pk).exists()
