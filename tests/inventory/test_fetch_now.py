"""The "Fetch now" limits per dealership; a feed's fetch never runs twice at once."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from inventory import sources, tasks
from inventory.models import ImportRun

from .conftest import as_csv, stock

pytestmark = pytest.mark.django_db

# On the hour, so the hour's window (clock hours) has all of its 3,600 seconds ahead.
NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def feed_url(feed_server, sunrise):
    url = feed_server.serve("/feed.csv", as_csv(stock(2)))
    sources.source_save(organization=sunrise, feed_url=url)
    return url


def _fetch_now(client, capture) -> object:
    with capture(execute=True):
        return client.post("/marketing/inventory/fetch")


def _runs(organization) -> int:
    return ImportRun.objects.for_org(organization).count()


def test_once_a_minute(
    feed_url, sunrise, sunrise_client, clock, django_capture_on_commit_callbacks
):
    assert _fetch_now(sunrise_client, django_capture_on_commit_callbacks).status_code == 302
    assert _runs(sunrise) == 1
    clock.shift(20)
    again = _fetch_now(sunrise_client, django_capture_on_commit_callbacks)
    assert again.status_code == 429
    assert again["Retry-After"] == "40"
    assert "“Fetch now” works once every 60 seconds; try again in 40 seconds." in (
        again.content.decode()
    )
    assert _runs(sunrise) == 1  # nothing was fetched
    clock.shift(40)
    assert _fetch_now(sunrise_client, django_capture_on_commit_callbacks).status_code == 302
    assert _runs(sunrise) == 2


def test_so_many_times_an_hour(
    feed_url,
    sunrise,
    sunrise_client,
    clock,
    settings,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    monkeypatch.setattr(sources, "FETCH_NOW_PER_HOUR", 3)
    answers = []
    for _ in range(4):
        answers.append(_fetch_now(sunrise_client, django_capture_on_commit_callbacks))
        clock.shift(61)
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    over = answers[-1]
    assert over["Retry-After"] == str(3600 - 3 * 61)  # the hour's end
    assert "“Fetch now” works 3 times an hour, all used this hour; try again in 57 minutes" in (
        over.content.decode()
    )
    assert _runs(sunrise) == 3
    clock.shift(61)  # a minute on, the hour still says so (not the minute)
    assert _fetch_now(sunrise_client, django_capture_on_commit_callbacks)["Retry-After"] == str(
        3600 - 5 * 61
    )
    clock.move_to(NOON + datetime.timedelta(hours=1))
    assert _fetch_now(sunrise_client, django_capture_on_commit_callbacks).status_code == 302


def test_each_dealership_has_its_own_limit(
    feed_url, feed_server, sunrise, sunrise_client, lakeside, lakeside_user, clock,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    sources.source_save(organization=lakeside, feed_url=feed_url)
    assert _fetch_now(sunrise_client, django_capture_on_commit_callbacks).status_code == 302
    other = Client()
    other.force_login(lakeside_user)
    assert _fetch_now(other, django_capture_on_commit_callbacks).status_code == 302
    assert _fetch_now(sunrise_client, django_capture_on_commit_callbacks).status_code == 429
    assert (_runs(sunrise), _runs(lakeside)) == (1, 1)


def test_a_running_fetch_is_not_started_twice(
    feed_url, sunrise, sunrise_client, clock, django_capture_on_commit_callbacks
):
    source = sources.source_for(organization=sunrise)
    with sources.fetch_lock(source_id=source.pk) as mine:  # a worker fetching it now
        assert mine
        busy = _fetch_now(sunrise_client, django_capture_on_commit_callbacks)
        assert busy.status_code == 409
        assert "Your feed is being fetched now" in busy.content.decode()
        # Beat's run, arriving meanwhile, leaves it too.
        assert tasks.import_inventory_source(source.pk)["status"] == "skipped"
        assert _runs(sunrise) == 0
    # Done: the next fetch runs (the refusal above did not use the minute's fetch).
    assert _fetch_now(sunrise_client, django_capture_on_commit_callbacks).status_code == 302
    assert _runs(sunrise) == 1
    assert tasks.import_inventory_source(source.pk)["status"] == "done"


def test_the_lock_lapses_after_the_deadline_and_the_import(feed_url, sunrise, clock, settings):
    """A worker that died holding it does not keep the feed from being fetched for ever."""
    settings.FETCH_TOTAL_TIMEOUT_SECONDS = 120
    source = sources.source_for(organization=sunrise)
    held = sources.fetch_lock(source_id=source.pk)
    assert held.__enter__()  # never left: the worker died
    clock.shift(120 + 299)
    assert tasks.import_inventory_source(source.pk)["status"] == "skipped"
    clock.shift(2)
    assert tasks.import_inventory_source(source.pk)["status"] == "done"
