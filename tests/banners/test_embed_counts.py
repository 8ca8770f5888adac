"""Impressions and clicks of the embed: counted once a page view, never for robots."""

import json
import threading
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connections
from django.urls import reverse

from banners import counting, embed_keys
from banners.figures import banner_figures, totals
from banners.models import BannerDailyCount
from banners.selectors import local_today

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"
PV = "a1b2c3d4e5f60718"


def key_of(organization) -> str:
    return embed_keys.embed_key_for(organization=organization).public_key


def beacon(client, key, body, ua=UA):
    return client.post(
        reverse("embed:events", args=[key]),
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="text/plain;charset=UTF-8",
        HTTP_USER_AGENT=ua,
    )


def go(client, key, banner_id, pv=PV, ua=UA):
    path = reverse("embed:go", args=[key, banner_id])
    return client.get(path, {"pv": pv} if pv else {}, HTTP_USER_AGENT=ua)


@pytest.fixture
def banners(sunrise, lakeside, make_banner):
    return {
        "truck": make_banner(
            sunrise, title="Truck", link_url="https://dealer.example/t?utm_source=x#top"
        ),
        "service": make_banner(sunrise, title="Service", link_url="/service"),
        "bare": make_banner(sunrise, title="No link", link_url=""),
        "lakeside": make_banner(lakeside, title="Lakeside", link_url="https://lakeside.example/"),
    }


def counts(banner):
    row = BannerDailyCount.objects.filter(banner=banner).first()
    return (row.impressions, row.clicks) if row else (0, 0)


@pytest.mark.django_db
class TestClicks:
    def test_redirect_adds_the_utm_tags_and_counts_once_a_page_view(self, client, sunrise, banners):
        truck = banners["truck"]
        answer = go(client, key_of(sunrise), truck.pk)
        assert answer.status_code == 302 and answer["Cache-Control"] == "no-store"
        target = urlsplit(answer["Location"])
        assert (target.scheme, target.netloc, target.path, target.fragment) == (
            "https",
            "dealer.example",
            "/t",
            "top",
        )
        assert parse_qs(target.query) == {
            "utm_source": ["website"],
            "utm_medium": ["banner"],
            "utm_campaign": [f"banner-{truck.pk}"],
        }
        go(client, key_of(sunrise), truck.pk)  # the same page view again
        assert counts(truck) == (0, 1)
        go(client, key_of(sunrise), truck.pk, pv="another-page-view")
        assert counts(truck) == (0, 2)
        row = BannerDailyCount.objects.get(banner=truck)
        assert row.organization == sunrise and row.day == local_today(organization=sunrise)

    def test_robots_and_links_without_a_page_view_go_but_do_not_count(
        self, client, sunrise, banners
    ):
        truck = banners["truck"]
        assert go(client, key_of(sunrise), truck.pk, ua="Googlebot/2.1").status_code == 302
        assert go(client, key_of(sunrise), truck.pk, ua="").status_code == 302
        assert go(client, key_of(sunrise), truck.pk, pv="").status_code == 302  # no JS
        assert go(client, key_of(sunrise), truck.pk, pv="<bad>").status_code == 302
        assert counts(truck) == (0, 0)

    def test_another_dealerships_or_unknown_banner_answers_404(
        self, client, sunrise, lakeside, banners
    ):
        assert go(client, key_of(sunrise), banners["lakeside"].pk).status_code == 404
        assert go(client, key_of(lakeside), banners["truck"].pk).status_code == 404
        assert go(client, key_of(sunrise), 999_999).status_code == 404
        assert go(client, key_of(sunrise), banners["bare"].pk).status_code == 404
        assert go(client, "z" * 24, banners["truck"].pk).status_code == 404
        assert counts(banners["truck"]) == (0, 0) and counts(banners["lakeside"]) == (0, 0)

    def test_never_an_open_redirect(self, client, sunrise, banners):
        path = reverse("embed:go", args=[key_of(sunrise), banners["truck"].pk])
        answer = client.get(path, {"pv": PV, "next": "https://evil.example/", "url": "//evil"})
        assert answer["Location"].startswith("https://dealer.example/t?")

    def test_a_site_relative_link_goes_to_the_dealers_own_host(self, client, sunrise, banners):
        service = banners["service"]
        assert go(client, key_of(sunrise), service.pk).status_code == 404  # no host known
        sunrise.site_host_names = ["www.sunrise.example"]
        sunrise.save()
        embed_keys.embed_key_rotate(organization=sunrise)  # a fresh key: a fresh lookup
        answer = go(client, key_of(sunrise), service.pk)
        assert answer["Location"].startswith(
            "https://www.sunrise.example/service?utm_source=website"
        )


@pytest.mark.django_db
class TestImpressions:
    def test_a_beacon_counts_each_banner_once_a_page_view(self, client, sunrise, banners):
        key = key_of(sunrise)
        body = {"pv": PV, "impressions": [banners["truck"].pk, banners["service"].pk]}
        answer = beacon(client, key, body)
        assert answer.status_code == 204 and not answer.cookies
        assert answer["Access-Control-Allow-Origin"] == "*"
        beacon(client, key, body)
        beacon(client, key, {"pv": PV, "impressions": [banners["truck"].pk]})
        assert counts(banners["truck"]) == (1, 0) and counts(banners["service"]) == (1, 0)
        beacon(client, key, {"pv": "next-page-view-1", "impressions": [banners["truck"].pk]})
        assert counts(banners["truck"]) == (2, 0)

    def test_other_dealerships_banners_in_a_beacon_are_ignored(
        self, client, sunrise, lakeside, banners
    ):
        body = {"pv": PV, "impressions": [banners["lakeside"].pk, banners["truck"].pk]}
        assert beacon(client, key_of(sunrise), body).status_code == 204
        assert counts(banners["lakeside"]) == (0, 0) and counts(banners["truck"]) == (1, 0)
        assert totals(organization=lakeside) == {"impressions": 0, "clicks": 0}

    def test_robots_are_not_counted(self, client, sunrise, banners):
        body = {"pv": PV, "impressions": [banners["truck"].pk]}
        assert beacon(client, key_of(sunrise), body, ua="HeadlessChrome/120").status_code == 204
        assert counts(banners["truck"]) == (0, 0)

    @pytest.mark.parametrize(
        "body",
        [
            "not json",
            "[]",
            '{"pv": "short", "impressions": [1]}',
            '{"pv": "a1b2c3d4e5", "impressions": []}',
            '{"pv": "a1b2c3d4e5", "impressions": ["1"]}',
            '{"pv": "a1b2c3d4e5", "impressions": [true]}',
            "[" * 2000,  # 4 kB of nesting: RecursionError in json
            "[" * 4096,
        ],
        ids=lambda body: body if len(body) < 60 else f"{body[:3]}... ({len(body)} characters)",
    )
    def test_bad_beacons_answer_400_in_words(self, client, sunrise, banners, body):
        answer = beacon(client, key_of(sunrise), body)
        assert answer.status_code == 400 and "impressions" in answer.json()["error"]
        assert not BannerDailyCount.objects.exists()

    def test_unknown_key_and_get_are_refused(self, client, sunrise, banners):
        assert beacon(client, "q" * 24, {"pv": PV, "impressions": [1]}).status_code == 404
        assert client.get(reverse("embed:events", args=[key_of(sunrise)])).status_code == 405
        huge = {"pv": PV, "impressions": [banners["truck"].pk] * 2000}
        assert beacon(client, key_of(sunrise), huge).status_code == 413


@pytest.mark.django_db
def test_banners_page_shows_the_snippet_and_the_figures(
    client, sunrise_client, sunrise, lakeside, banners
):
    key = key_of(sunrise)
    beacon(sunrise_client, key, {"pv": PV, "impressions": [banners["truck"].pk]})
    beacon(sunrise_client, key, {"pv": "second-page-view", "impressions": [banners["truck"].pk]})
    go(sunrise_client, key, banners["truck"].pk)
    page = sunrise_client.get(reverse("banners:list")).content.decode()
    assert f"/embed/{key}/carousel.js&quot; async&gt;&lt;/script&gt;" in page
    assert f"/embed/{key}/carousel.html" in page and f"/embed/{key}/banners.json" in page
    assert key_of(lakeside) not in page
    assert "2 impressions, 1 clicks, 50.0 % click rate" in page
    figures = banner_figures(organization=sunrise, today=local_today(organization=sunrise))
    truck = figures[banners["truck"].pk]
    assert (truck.last_7.impressions, truck.last_30.clicks, len(truck.days)) == (2, 1, 30)
    assert truck.days[-1][1:] == (2, 1)


@pytest.mark.django_db
def test_rotating_the_key_on_the_banners_page(sunrise_client, sunrise, lakeside):
    old, lakeside_key = key_of(sunrise), key_of(lakeside)
    answer = sunrise_client.post(reverse("banners:embed_key_rotate"))
    assert answer.status_code == 302
    assert key_of(sunrise) != old and key_of(lakeside) == lakeside_key


@pytest.mark.django_db
def test_outsider_gets_no_embed_and_cannot_rotate(client, outsider, sunrise):
    key = key_of(sunrise)
    client.force_login(outsider)
    answer = client.post(reverse("banners:embed_key_rotate"))
    assert answer.status_code in (302, 403)
    assert key_of(sunrise) == key
    assert key not in client.get(reverse("banners:list"), follow=True).content.decode()


def test_the_upsert_names_the_models_tables():
    from banners.models import Banner

    assert f"INSERT INTO {BannerDailyCount._meta.db_table} " in counting.ADD_COUNTS_SQL
    assert f" FROM {Banner._meta.db_table} b " in counting.ADD_COUNTS_SQL


def test_bot_user_agents():
    assert counting.is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert counting.is_bot("")
    assert not counting.is_bot(UA)


def _hammer(threads: int, per_thread: int, work) -> None:
    def run(n):
        try:
            for i in range(per_thread):
                work(n, i)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_counts_in_postgres_lose_nothing(sunrise, make_banner):
    """No Redis: every count is an upsert; 8 threads on one row, none lost."""
    banner = make_banner(sunrise, title="Busy")
    site = embed_keys.embed_site(public_key=key_of(sunrise))
    _hammer(
        8,
        50,
        lambda n, i: counting.record(
            site=site, banner_ids=[banner.pk], kind=counting.IMPRESSION, page_view=f"pv-{n}-{i:04d}"
        ),
    )
    assert counts(banner) == (400, 0)


@pytest.fixture
def redis_counter(settings, monkeypatch):
    """Redis counting under names of this test's own (xdist workers share the db)."""
    import os
    import uuid

    settings.BANNERS_COUNTER_REDIS_URL = os.environ.get("REDIS_URL") or settings.CELERY_BROKER_URL
    prefix = f"dm:test-{uuid.uuid4().hex}:"
    monkeypatch.setattr(counting, "PENDING", f"{prefix}counts")
    monkeypatch.setattr(counting, "FLUSHING", f"{prefix}flushing:")
    monkeypatch.setattr(counting, "SEEN", f"{prefix}seen:")
    client = counting.redis_client()
    yield SimpleNamespace(client=client, prefix=prefix)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_counts_write_nothing_until_the_flush(redis_counter, client, sunrise, banners):
    key = key_of(sunrise)
    beacon(client, key, {"pv": PV, "impressions": [banners["truck"].pk]})
    beacon(client, key, {"pv": PV, "impressions": [banners["truck"].pk]})
    go(client, key, banners["truck"].pk)
    assert not BannerDailyCount.objects.exists()  # no database write per view
    assert counting.flush_counts() == 2
    assert counts(banners["truck"]) == (1, 1)
    assert counting.flush_counts() == 0
    assert counts(banners["truck"]) == (1, 1)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_counts_flushed_while_counting_lose_nothing(redis_counter, sunrise, make_banner):
    """Counting threads and a flushing thread at once: every count lands exactly once."""
    banner = make_banner(sunrise, title="Busy")
    site = embed_keys.embed_site(public_key=key_of(sunrise))
    done = threading.Event()

    def flusher():
        while not done.is_set():
            counting.flush_counts()
        connections.close_all()

    thread = threading.Thread(target=flusher)
    thread.start()
    _hammer(
        6,
        200,
        lambda n, i: counting.record(
            site=site, banner_ids=[banner.pk], kind=counting.CLICK, page_view=f"pv-{n}-{i:04d}"
        ),
    )
    done.set()
    thread.join()
    counting.flush_counts()
    assert counts(banner) == (0, 1200)
    leftovers = redis_counter.client.scan_iter(match=f"{redis_counter.prefix}[cf]*")
    assert not list(leftovers)  # no counts and no flushing batch left


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_failed_flush_is_taken_by_the_next(redis_counter, sunrise, make_banner, monkeypatch):
    banner = make_banner(sunrise, title="Busy")
    site = embed_keys.embed_site(public_key=key_of(sunrise))
    counting.record(site=site, banner_ids=[banner.pk], kind=counting.IMPRESSION, page_view=PV)

    def broken(counts):
        raise RuntimeError("database down")

    working = counting._add_to_database
    monkeypatch.setattr(counting, "_add_to_database", broken)
    with pytest.raises(RuntimeError):
        counting.flush_counts()
    monkeypatch.setattr(counting, "_add_to_database", working)
    counting.record(
        site=site, banner_ids=[banner.pk], kind=counting.IMPRESSION, page_view="pv-2-later"
    )
    assert counting.flush_counts() == 2
    assert counts(banner) == (2, 0)
