"""The admin's reorder endpoint and list: one dealership at a time, only your own."""

import json

import pytest
from django.urls import reverse

from banners.models import Banner
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def reorder_url(organization):
    return reverse("admin:banners_banner_reorder", args=[organization.pk])


def post_order(client, organization, ids):
    return client.post(reorder_url(organization), json.dumps(ids), content_type="application/json")


def order_of(organization):
    return list(
        Banner.objects.for_org(organization).order_by("sort_order").values_list("title", flat=True)
    )


@pytest.fixture
def staff_client(client, sunrise_staff):
    client.force_login(sunrise_staff)
    return client


def test_staff_reorders_their_dealership(staff_client, sunrise, make_banner):
    a, b, c = (make_banner(sunrise, title=t) for t in "ABC")
    response = post_order(staff_client, sunrise, [c.pk, a.pk, b.pk])
    assert response.status_code == 200
    assert response.json()["order"] == [c.pk, a.pk, b.pk]
    assert order_of(sunrise) == ["C", "A", "B"]


def test_staff_cannot_reorder_another_dealership(staff_client, lakeside, make_banner):
    x, y = make_banner(lakeside, title="X"), make_banner(lakeside, title="Y")
    response = post_order(staff_client, lakeside, [y.pk, x.pk])
    assert response.status_code == 404
    assert order_of(lakeside) == ["X", "Y"]


def test_staff_cannot_slip_another_dealerships_banner_into_their_order(
    staff_client, sunrise, lakeside, make_banner
):
    a = make_banner(sunrise, title="A")
    x = make_banner(lakeside, title="X")
    response = post_order(staff_client, sunrise, [x.pk, a.pk])
    assert response.status_code == 400
    assert "another dealership" in response.json()["error"]
    assert order_of(sunrise) == ["A"]


def test_staff_without_change_permission_gets_403(client, sunrise, make_banner):
    user = MembershipFactory(organization=sunrise, user=UserFactory(username="viewer")).user
    user.is_staff = True
    user.save()
    a, b = make_banner(sunrise, title="A"), make_banner(sunrise, title="B")
    client.force_login(user)
    assert post_order(client, sunrise, [b.pk, a.pk]).status_code == 403
    assert order_of(sunrise) == ["A", "B"]


@pytest.mark.parametrize("body", ["not json", '{"ids": [1]}', "[]", '["1", "2"]', "[true]"])
def test_bad_bodies_get_400_with_a_message(staff_client, sunrise, make_banner, body):
    make_banner(sunrise, title="A")
    response = staff_client.post(reorder_url(sunrise), body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON list of numbers" in response.json()["error"]


def test_get_is_refused(staff_client, sunrise):
    assert staff_client.get(reorder_url(sunrise)).status_code == 405


def test_anonymous_is_sent_to_the_admin_sign_in(client, sunrise, make_banner):
    a = make_banner(sunrise, title="A")
    response = post_order(client, sunrise, [a.pk])
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_superuser_must_choose_a_dealership_to_drag(client, superuser, sunrise, make_banner):
    make_banner(sunrise, title="A")
    client.force_login(superuser)
    page = client.get(reverse("admin:banners_banner_changelist")).content.decode()
    assert "first choose one dealership" in page
    assert "sort-handle" not in page
    page = client.get(
        reverse("admin:banners_banner_changelist"), {"organization__id__exact": sunrise.pk}
    ).content.decode()
    assert f'data-reorder-url="{reorder_url(sunrise)}"' in page
    assert "sort-handle" in page
    assert "Sunrise Motors</strong>’s banners" in page


def test_sorting_by_a_column_turns_dragging_off(staff_client, sunrise, make_banner):
    make_banner(sunrise, title="A")
    page = staff_client.get(reverse("admin:banners_banner_changelist"), {"o": "2"}).content.decode()
    assert "Remove the sorting" in page
    assert "sort-handle" not in page


def test_superuser_reorders_any_dealership(client, superuser, lakeside, make_banner):
    x, y = make_banner(lakeside, title="X"), make_banner(lakeside, title="Y")
    client.force_login(superuser)
    assert post_order(client, lakeside, [y.pk, x.pk]).status_code == 200
    assert order_of(lakeside) == ["Y", "X"]
