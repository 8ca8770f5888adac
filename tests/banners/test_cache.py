"""The active banners are cached per dealership and local date, and dropped on any change."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory

from banners.selectors import active_banners
from banners.services import banners_reorder
from dealer_media.tenancy.sites import SiteOrganizationMiddleware

pytestmark = pytest.mark.django_db

CAROUSEL = Template("{% load banners %}{% banner_carousel org %}")


def titles(organization):
    return [slide.title for slide in active_banners(organization=organization)]


def test_cached_carousel_render_makes_no_query(sunrise, make_banner, django_assert_num_queries):
    for n in range(5):
        make_banner(sunrise, title=f"Offer {n}")
    with django_assert_num_queries(1):
        first = CAROUSEL.render(Context({"org": sunrise}))
    with django_assert_num_queries(0):
        again = CAROUSEL.render(Context({"org": sunrise}))
    assert again == first
    assert again.count('class="banner-carousel__slide"') == 5


def test_cached_render_through_the_site_host_makes_no_query(
    settings, sunrise, make_banner, django_assert_num_queries
):
    settings.ALLOWED_HOSTS = ["www.sunrisemotors.com"]
    sunrise.site_host_names = ["www.sunrisemotors.com"]
    sunrise.save()
    make_banner(sunrise, title="Truck month")
    template = Template("{% load banners %}{% active_banners as banners %}{% banner_carousel %}")

    def render():
        request = RequestFactory().get("/", HTTP_HOST="www.sunrisemotors.com")
        html = []
        SiteOrganizationMiddleware(lambda r: html.append(template.render(Context({"request": r}))))(
            request
        )
        return html[0]

    with django_assert_num_queries(2):  # the host name lookup, then the banners
        assert "Truck month" in render()
    with django_assert_num_queries(0):
        assert "Truck month" in render()


def test_save_invalidates(sunrise, make_banner, django_assert_num_queries):
    banner = make_banner(sunrise, title="Old title")
    assert titles(sunrise) == ["Old title"]
    banner.title = "New title"
    banner.save()
    assert titles(sunrise) == ["New title"]
    banner.is_active = False
    banner.save()
    assert titles(sunrise) == []


def test_delete_invalidates(sunrise, make_banner):
    banner = make_banner(sunrise, title="Going away")
    make_banner(sunrise, title="Staying")
    assert titles(sunrise) == ["Going away", "Staying"]
    banner.delete()
    assert titles(sunrise) == ["Staying"]


def test_queryset_delete_invalidates(sunrise, make_banner):
    make_banner(sunrise, title="One")
    assert titles(sunrise) == ["One"]
    from banners.models import Banner

    Banner.objects.for_org(sunrise).delete()
    assert titles(sunrise) == []


def test_reorder_invalidates(sunrise, make_banner):
    a = make_banner(sunrise, title="A")
    b = make_banner(sunrise, title="B")
    c = make_banner(sunrise, title="C")
    assert titles(sunrise) == ["A", "B", "C"]
    banners_reorder(organization=sunrise, banner_ids=[c.pk, a.pk, b.pk])
    assert titles(sunrise) == ["C", "A", "B"]


def test_change_in_one_dealership_keeps_the_others_cache(
    sunrise, lakeside, make_banner, django_assert_num_queries
):
    make_banner(lakeside, title="Lakeside offer")
    assert titles(lakeside) == ["Lakeside offer"]
    make_banner(sunrise, title="Sunrise offer")
    with django_assert_num_queries(0):
        assert titles(lakeside) == ["Lakeside offer"]


def test_the_key_changes_at_local_midnight_without_any_job(sunrise, make_banner):
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    make_banner(sunrise, title="Until Mar 10", end_date=datetime.date(2026, 3, 10))
    with time_machine.travel(datetime.datetime(2026, 3, 10, 23, 59, tzinfo=la), tick=False):
        assert titles(sunrise) == ["Until Mar 10"]  # cached for Mar 10
    with time_machine.travel(datetime.datetime(2026, 3, 11, 0, 0, 1, tzinfo=la), tick=False):
        assert titles(sunrise) == []


def test_reorder_with_a_subset_keeps_the_other_banners_places(sunrise, make_banner):
    a, b, c, d = (make_banner(sunrise, title=t) for t in "ABCD")
    # The admin list filtered to B and D: swapping them leaves A and C where they were.
    order = banners_reorder(organization=sunrise, banner_ids=[d.pk, b.pk], partial=True)
    assert order == [a.pk, d.pk, c.pk, b.pk]
    assert titles(sunrise) == ["A", "D", "C", "B"]


def test_reorder_refuses_another_dealerships_banner_and_changes_nothing(
    sunrise, lakeside, make_banner
):
    from django.core.exceptions import ValidationError

    a, b = make_banner(sunrise, title="A"), make_banner(sunrise, title="B")
    other = make_banner(lakeside, title="Other")
    with pytest.raises(ValidationError):
        banners_reorder(organization=sunrise, banner_ids=[b.pk, other.pk, a.pk])
    with pytest.raises(ValidationError):
        banners_reorder(organization=sunrise, banner_ids=[b.pk])  # not all of them
    assert titles(sunrise) == ["A", "B"]


@pytest.mark.redis
def test_redis_cache_serves_the_cached_render_without_queries(
    settings, sunrise, make_banner, django_assert_num_queries
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/4",
            "KEY_PREFIX": "dm-banners-test",
        }
    }
    from django.core.cache import cache

    cache.clear()
    banner = make_banner(sunrise, title="Through Redis")
    CAROUSEL.render(Context({"org": sunrise}))
    with django_assert_num_queries(0):
        assert "Through Redis" in CAROUSEL.render(Context({"org": sunrise}))
    banner.title = "Changed in Redis"
    banner.save()
    assert "Changed in Redis" in CAROUSEL.render(Context({"org": sunrise}))
    cache.clear()
