"""The template tags as a dealer's site template uses them: markup, escaping, link schemes."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory

from banners.models import Banner
from dealer_media.tenancy.sites import SiteOrganizationMiddleware

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load banners %}" + source).render(Context(context))


def render_for_host(source: str, host: str) -> str:
    request = RequestFactory().get("/", HTTP_HOST=host)
    out = []
    SiteOrganizationMiddleware(lambda r: out.append(render(source, request=r)))(request)
    return out[0]


def test_no_banners_renders_nothing_at_all(sunrise, make_banner):
    make_banner(sunrise, title="Off", is_active=False)
    assert render("{% banner_carousel org %}", org=sunrise).strip() == ""


def test_carousel_markup(sunrise, make_banner):
    first = make_banner(sunrise, title="First", link_url="https://example.com/first")
    make_banner(sunrise, title="Second", link_url="")
    make_banner(sunrise, title="Third", link_url="/service")
    html = render("{% banner_carousel org interval=8 label='Our deals' %}", org=sunrise)
    assert 'data-interval="8000"' in html
    assert 'aria-label="Our deals"' in html
    assert html.count("<img ") == 3
    # Only the first picture loads at once; the others wait until shown.
    assert html.count('loading="lazy"') == 2
    assert 'fetchpriority="high"' in html.split("<img ")[1]
    # The original's width is known from the upload: a srcset and a width/height.
    assert f'srcset="{first.image.url} 1200w"' in html
    assert 'width="1200" height="400"' in html
    assert '<a class="banner-carousel__link" href="https://example.com/first">' in html
    assert '<a class="banner-carousel__link" href="/service">' in html
    assert html.count("banner-carousel__link") == 2  # the second has no link
    assert html.count("data-carousel-dot=") == 3
    assert "carousel.js" in html and "carousel.css" in html


def test_one_banner_has_no_controls(sunrise, make_banner):
    make_banner(sunrise, title="Only one")
    html = render("{% banner_carousel org %}", org=sunrise)
    assert "Only one" in html
    assert "data-carousel-next" not in html


def test_title_and_link_are_escaped(sunrise, make_banner):
    make_banner(
        sunrise,
        title='<script>alert("x")</script> & "quotes"',
        link_url='/offers?a=1&b="><script>alert(1)</script>',
    )
    html = render(
        "{% active_banners org as banners %}{% for b in banners %}<p>{{ b.title }}</p>{% endfor %}"
        "{% banner_carousel org %}",
        org=sunrise,
    )
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    assert 'href="/offers?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,hi",
        "//evil.example.com/",
        "vbscript:x",
        "ftp://example.com/",
    ],
)
def test_unsafe_link_is_refused_at_save_and_dropped_at_render(sunrise, make_banner, link):
    banner = make_banner(sunrise, title="Offer", link_url="")
    banner.link_url = link
    with pytest.raises(ValidationError):
        banner.full_clean()
    # A row written around the check (raw update, old data) still renders without the link.
    Banner.objects.filter(pk=banner.pk).update(link_url=link)
    banner.save()  # any save invalidates the cache
    html = render("{% banner_carousel org %}", org=sunrise)
    assert "Offer" in html
    assert "<a " not in html
    assert "javascript" not in html.lower()


def test_active_banners_in_sort_order_for_the_explicit_org(sunrise, lakeside, make_banner):
    make_banner(sunrise, title="S1")
    make_banner(sunrise, title="S2")
    make_banner(lakeside, title="L1")
    html = render(
        "{% active_banners org as banners %}{% for b in banners %}[{{ b.title }}]{% endfor %}",
        org=sunrise,
    )
    assert html == "[S1][S2]"


def test_the_site_organization_comes_from_the_host_name(settings, sunrise, lakeside, make_banner):
    settings.ALLOWED_HOSTS = [".example.com"]
    sunrise.site_host_names = ["www.sunrise.example.com", "sunrise.example.com"]
    sunrise.save()
    lakeside.site_host_names = ["lakeside.example.com"]
    lakeside.save()
    make_banner(sunrise, title="Sunrise deal")
    make_banner(lakeside, title="Lakeside deal")
    source = "{% active_banners as banners %}{% for b in banners %}[{{ b.title }}]{% endfor %}"
    assert render_for_host(source, "www.sunrise.example.com") == "[Sunrise deal]"
    assert render_for_host(source, "Sunrise.Example.com:8000") == "[Sunrise deal]"
    assert render_for_host(source, "lakeside.example.com") == "[Lakeside deal]"
    assert render_for_host(source, "nobody.example.com") == ""
    assert render_for_host("{% banner_carousel %}", "nobody.example.com").strip() == ""


def test_host_cache_is_cleared_when_an_organization_changes(settings, sunrise, make_banner):
    settings.ALLOWED_HOSTS = [".example.com"]
    make_banner(sunrise, title="Sunrise deal")
    source = "{% active_banners as banners %}{% for b in banners %}[{{ b.title }}]{% endfor %}"
    assert render_for_host(source, "new.example.com") == ""  # cached as unknown
    sunrise.site_host_names = ["new.example.com"]
    sunrise.save()
    assert render_for_host(source, "new.example.com") == "[Sunrise deal]"
    sunrise.delete()
    assert render_for_host(source, "new.example.com") == ""
