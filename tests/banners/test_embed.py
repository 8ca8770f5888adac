"""The website embed: key, feed, script, iframe page, caching, CORS and no cookies."""

import json
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from banners import embed_keys
from banners.models import EmbedKey

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"


def key_of(organization) -> str:
    return embed_keys.embed_key_for(organization=organization).public_key


def url(name, key, *args):
    return reverse(f"embed:{name}", args=[key, *args])


@pytest.fixture
def sunrise_banners(sunrise, make_banner):
    return [
        make_banner(
            sunrise, title="Truck <month> & more", link_url="https://dealer.example/trucks?x=1"
        ),
        make_banner(sunrise, title="Service", link_url=""),
    ]


@pytest.fixture
def lakeside_banner(lakeside, make_banner):
    return make_banner(lakeside, title="Lakeside only", link_url="https://lakeside.example/")


def test_feed_lists_only_the_keys_dealership_in_order(
    client, sunrise, lakeside, sunrise_banners, lakeside_banner
):
    answer = client.get(url("banners_json", key_of(sunrise)))
    assert answer.status_code == 200
    data = answer.json()
    assert [b["title"] for b in data["banners"]] == ["Truck <month> & more", "Service"]
    first = data["banners"][0]
    assert first["alt"] == first["title"]
    assert first["link"] == "https://dealer.example/trucks?x=1"
    assert first["click_url"] == f"http://testserver/embed/{key_of(sunrise)}/go/{first['id']}"
    assert data["banners"][1]["click_url"] == ""  # no link, nothing to click
    assert first["image"]["original"]["width"] == 1200
    assert first["image"]["src"].startswith("http://testserver/")
    assert {"start_date", "end_date"} <= set(first)
    lakeside_data = client.get(url("banners_json", key_of(lakeside))).json()
    assert [b["title"] for b in lakeside_data["banners"]] == ["Lakeside only"]


def test_keys_are_random_and_name_no_id_or_slug(sunrise, lakeside):
    sunrise_key, lakeside_key = key_of(sunrise), key_of(lakeside)
    assert sunrise_key != lakeside_key and len(sunrise_key) >= 24
    for key, org in ((sunrise_key, sunrise), (lakeside_key, lakeside)):
        assert org.slug not in url("carousel_js", key)
        assert f"/{org.pk}/" not in url("carousel_js", key)


@pytest.mark.parametrize("name", ["banners_json", "carousel_js", "carousel_html"])
def test_unknown_key_answers_404(client, sunrise_banners, name):
    assert client.get(url(name, "x" * 24)).status_code == 404
    assert client.get(url(name, "short")).status_code == 404


def test_rotated_key_stops_at_once(client, sunrise, sunrise_banners):
    old = key_of(sunrise)
    assert client.get(url("carousel_js", old)).status_code == 200  # cached now
    new = embed_keys.embed_key_rotate(organization=sunrise).public_key
    assert new != old
    assert client.get(url("carousel_js", old)).status_code == 404
    assert client.get(url("banners_json", old)).status_code == 404
    banner = sunrise_banners[0]
    assert client.get(url("go", old, banner.pk)).status_code == 404
    assert client.get(url("carousel_js", new)).status_code == 200


def test_cors_cache_control_etag_and_304_with_no_query(
    client, sunrise, sunrise_banners, django_assert_num_queries
):
    key = key_of(sunrise)
    for name in ("banners_json", "carousel_js"):
        first = client.get(url(name, key), HTTP_ORIGIN="https://dealer.example")
        assert first["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in first
        assert first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=240"
        etag = first["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
        with django_assert_num_queries(0):
            again = client.get(url(name, key))
            unchanged = client.get(url(name, key), HTTP_IF_NONE_MATCH=etag)
        assert again.content == first.content
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert unchanged["ETag"] == etag
        assert not first.cookies and "Cookie" not in first.get("Vary", "")


def test_a_banner_change_changes_the_etag(client, sunrise, sunrise_banners):
    key = key_of(sunrise)
    etag = client.get(url("banners_json", key))["ETag"]
    sunrise_banners[1].title = "Service special"
    sunrise_banners[1].save()
    answer = client.get(url("banners_json", key), HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 200 and answer["ETag"] != etag
    assert "Service special" in answer.content.decode()


def test_script_carries_the_shared_carousel_and_escaped_data(client, sunrise, sunrise_banners):
    answer = client.get(url("carousel_js", key_of(sunrise)))
    assert answer["Content-Type"] == "text/javascript; charset=utf-8"
    body = answer.content.decode()
    assert "var BannerCarousel" in body and "BannerCounter" in body  # the shared files
    assert "<month>" not in body and "\\u003cmonth>" in body
    assert "/*" not in body.split("\n", 1)[1]  # comments left out
    assert ".innerHTML" not in body and "eval(" not in body
    config = json.loads(re.search(r"var EMBED = (\{.*?\});\n", body).group(1))
    assert config["events_url"] == f"http://testserver/embed/{key_of(sunrise)}/events"
    assert ".banner-carousel" in config["css"]


def test_iframe_page_may_be_framed_and_links_leave_the_frame(client, sunrise, sunrise_banners):
    answer = client.get(url("carousel_html", key_of(sunrise)))
    assert answer.status_code == 200
    assert "frame-ancestors *" in answer["Content-Security-Policy"]
    assert "X-Frame-Options" not in answer
    html = answer.content.decode()
    go = url("go", key_of(sunrise), sunrise_banners[0].pk)
    assert f'href="http://testserver{go}" target="_top"' in html
    assert "Truck &lt;month&gt; &amp; more" in html


def test_template_tag_and_embed_show_the_same_banners(
    client, rf, sunrise, sunrise_banners, make_banner
):
    make_banner(sunrise, title="Not yet", start_date="2999-01-01")
    make_banner(sunrise, title="Off", is_active=False)
    html = Template("{% load banners %}{% banner_carousel org %}").render(Context({"org": sunrise}))
    tag_ids = [int(i) for i in re.findall(r'data-banner-id="(\d+)"', html)]
    feed_ids = [b["id"] for b in client.get(url("banners_json", key_of(sunrise))).json()["banners"]]
    frame = client.get(url("carousel_html", key_of(sunrise))).content.decode()
    frame_ids = [int(i) for i in re.findall(r'data-banner-id="(\d+)"', frame)]
    assert tag_ids == feed_ids == frame_ids == [b.pk for b in sunrise_banners]


def test_one_key_per_dealership(sunrise):
    key_of(sunrise)
    key_of(sunrise)
    assert EmbedKey.objects.for_org(sunrise).count() == 1
