"""Roles in the admin: staff see other roles' rows read-only and cannot run their actions."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from media_content.models import MediaContent

from ..factories import BannerFactory, MediaContentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(team):
    def _client(role: str) -> Client:
        user = team[role]
        user.is_staff = True
        user.save()
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["media_content", "banners", "tenancy"]
            )
        )
        client = Client()
        client.force_login(user)
        return client

    return _client


# (admin page, roles that may change, the object)
PAGES = [
    ("media_content_mediacontent", {"owner", "editor"}, "media"),
    ("banners_banner", {"owner", "editor"}, "banner"),
    ("tenancy_organization", {"owner"}, "organization"),
]


@pytest.mark.parametrize("role", ["owner", "editor", "contributor"])
@pytest.mark.parametrize(("page", "allowed", "thing"), PAGES, ids=[p[0] for p in PAGES])
def test_role_against_admin_change_form(staff_client, sunrise, role, page, allowed, thing):
    obj = {
        "media": lambda: MediaContentFactory(organization=sunrise),
        "banner": lambda: BannerFactory(organization=sunrise),
        "organization": lambda: sunrise,
    }[thing]()
    client = staff_client(role)
    response = client.get(reverse(f"admin:{page}_change", args=[obj.pk]))
    assert response.status_code == 200  # everyone sees it
    can_save = 'name="_save"' in response.content.decode()
    assert can_save is (role in allowed)
    if role not in allowed:
        # A hand-made POST is refused too.
        assert client.post(reverse(f"admin:{page}_change", args=[obj.pk]), {}).status_code == 403


def test_admin_actions_are_not_offered_to_a_contributor(staff_client, sunrise):
    item = MediaContentFactory(organization=sunrise, post_to_banner=True)
    url = reverse("admin:media_content_mediacontent_changelist")
    page = staff_client("contributor").get(url).content.decode()
    assert "publish_now" not in page
    response = staff_client("contributor").post(
        url, {"action": "publish_now", "_selected_action": [item.pk]}
    )
    assert not item.posts.exists()
    assert response.status_code in (200, 302)
    assert "publish_now" in staff_client("editor").get(url).content.decode()


def test_admin_action_on_a_dealership_where_the_role_may_not_is_refused(
    staff_client, sunrise, lakeside, team
):
    from dealer_media.tenancy.models import Membership

    # The editor of Sunrise is only a contributor at Lakeside.
    Membership.objects.create(user=team["editor"], organization=lakeside, role="contributor")
    item = MediaContentFactory(organization=lakeside, post_to_banner=True)
    response = staff_client("editor").post(
        reverse("admin:media_content_mediacontent_changelist"),
        {"action": "publish_now", "_selected_action": [item.pk]},
        follow=True,
    )
    assert (
        "Nothing was changed. Only owners and editors can delete items" in response.content.decode()
    )
    assert not item.posts.exists()
    assert MediaContent.objects.get(pk=item.pk).status == MediaContent.Status.DRAFT
