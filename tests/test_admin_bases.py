"""What ``TenantModelAdmin`` adds beyond the registry walk: choices, links between rows, roles."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from banners.admin import BannerAdmin
from banners.models import Banner
from dealer_media.tenancy.models import Membership

from .factories import BannerFactory, MediaContentFactory, MembershipFactory, UserFactory
from .media import jpeg_bytes

pytestmark = pytest.mark.django_db


class BannerWithItemAdmin(BannerAdmin):
    """The banner admin with its library item editable, as a future admin might have it."""

    readonly_fields = []


@pytest.fixture
def of_both(sunrise, lakeside):
    """Staff who own Sunrise and edit at Lakeside."""
    user = MembershipFactory(organization=sunrise, user=UserFactory(username="both")).user
    Membership.objects.create(user=user, organization=lakeside, role="editor")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="banners"))
    return user


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _banner_form(user, data: dict):
    form_class = BannerWithItemAdmin(Banner, admin.site).get_form(_request(user))
    image = SimpleUploadedFile("b.jpg", jpeg_bytes(), "image/jpeg")
    return form_class(data={"title": "Weekend", "is_active": "on", **data}, files={"image": image})


def test_a_row_cannot_point_to_another_dealerships_object(of_both, sunrise, lakeside):
    theirs = MediaContentFactory(organization=lakeside)
    form = _banner_form(of_both, {"organization": sunrise.pk, "media_content": theirs.pk})
    assert not form.is_valid()
    assert form.errors["media_content"] == ["Choose one of this dealership's own."]
    ours = MediaContentFactory(organization=sunrise)
    assert _banner_form(of_both, {"organization": sunrise.pk, "media_content": ours.pk}).is_valid()


def test_choices_are_the_dealerships_the_role_may_change(sunrise, lakeside, sunrise_staff):
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    form = _banner_form(sunrise_staff, {})
    assert list(form.fields["organization"].queryset) == [sunrise]
    assert "Lakeside lease deal" not in str(form["media_content"])


def test_a_dealership_where_the_role_may_not_is_not_offered(of_both, sunrise, lakeside):
    # Editors manage banners, so both; make them a contributor at Lakeside.
    Membership.objects.filter(user=of_both, organization=lakeside).update(role="contributor")
    form = _banner_form(of_both, {})
    assert list(form.fields["organization"].queryset) == [sunrise]


def test_banners_are_reordered_only_where_the_role_manages_them(of_both, lakeside):
    Membership.objects.filter(user=of_both, organization=lakeside).update(role="contributor")
    x, y = BannerFactory(organization=lakeside), BannerFactory(organization=lakeside)
    client = Client()
    client.force_login(of_both)
    response = client.post(
        reverse("admin:banners_banner_reorder", args=[lakeside.pk]),
        json.dumps([y.pk, x.pk]),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert list(Banner.objects.for_org(lakeside).order_by("sort_order")) == [x, y]


def test_a_row_stays_in_its_dealership(of_both, sunrise, lakeside):
    banner = BannerFactory(organization=sunrise, title="Sunrise banner")
    client = Client()
    client.force_login(of_both)
    url = reverse("admin:banners_banner_change", args=[banner.pk])
    response = client.post(
        url, {"organization": lakeside.pk, "title": "Moved", "link_url": "", "is_active": "on"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    banner.refresh_from_db()
    assert (banner.title, banner.organization) == ("Moved", sunrise)


def test_deleting_a_banner_in_the_admin_goes_through_the_service(
    sunrise, sunrise_staff, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    banner = BannerFactory(organization=sunrise)
    name = banner.image.name
    client = Client()
    client.force_login(sunrise_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:banners_banner_delete", args=[banner.pk]), {"post": "yes"})
    assert not Banner.objects.filter(pk=banner.pk).exists()
    assert not default_storage.exists(name)  # banner_delete removes the file after the commit
