"""Which banners are active: the dealer's local day, open ends, the switch, the order."""

import datetime
import zoneinfo

import pytest
import time_machine

from banners.selectors import active_banners, banners_active_on

from .conftest import day

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def titles(organization):
    return [slide.title for slide in active_banners(organization=organization)]


def test_banner_ending_today_in_los_angeles_still_shows_at_23_there(sunrise, make_banner):
    make_banner(sunrise, title="Ends today", end_date=day("2026-03-10"))
    # 23:00 in Los Angeles on March 10 is already March 11 in UTC.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 23, 0, tzinfo=LA), tick=False):
        assert datetime.datetime.now(datetime.UTC).date() == day("2026-03-11")
        assert titles(sunrise) == ["Ends today"]
    with time_machine.travel(datetime.datetime(2026, 3, 11, 0, 0, 1, tzinfo=LA), tick=False):
        assert titles(sunrise) == []


def test_banner_starting_tomorrow_local_is_hidden_even_when_utc_is_already_tomorrow(
    sunrise, make_banner
):
    make_banner(sunrise, title="Starts Mar 11", start_date=day("2026-03-11"))
    with time_machine.travel(datetime.datetime(2026, 3, 10, 20, 0, tzinfo=LA), tick=False):
        assert titles(sunrise) == []
    with time_machine.travel(datetime.datetime(2026, 3, 11, 0, 0, tzinfo=LA), tick=False):
        assert titles(sunrise) == ["Starts Mar 11"]


def test_same_instant_is_a_different_day_for_different_dealerships(sunrise, lakeside, make_banner):
    make_banner(
        sunrise,
        title="Sunrise: Mar 10 only",
        start_date=day("2026-03-10"),
        end_date=day("2026-03-10"),
    )
    make_banner(
        lakeside,
        title="Lakeside: Mar 10 only",
        start_date=day("2026-03-10"),
        end_date=day("2026-03-10"),
    )
    # 04:30 UTC on Mar 11 is 23:30 on Mar 10 in Chicago (CDT) and 21:30 in Los Angeles.
    with time_machine.travel(
        datetime.datetime(2026, 3, 11, 4, 30, tzinfo=datetime.UTC), tick=False
    ):
        assert titles(sunrise) == ["Sunrise: Mar 10 only"]
        assert titles(lakeside) == ["Lakeside: Mar 10 only"]
    # 05:30 UTC: Chicago has reached Mar 11 (00:30), Los Angeles has not (22:30).
    with time_machine.travel(
        datetime.datetime(2026, 3, 11, 5, 30, tzinfo=datetime.UTC), tick=False
    ):
        assert titles(sunrise) == ["Sunrise: Mar 10 only"]
        assert titles(lakeside) == []


def test_open_ends_inactive_switch_and_other_dealerships(sunrise, lakeside, make_banner):
    make_banner(sunrise, title="Always")
    make_banner(sunrise, title="Open start", end_date=day("2026-05-01"))
    make_banner(sunrise, title="Open end", start_date=day("2026-04-01"))
    make_banner(sunrise, title="Switched off", is_active=False)
    make_banner(sunrise, title="Over", start_date=day("2026-01-01"), end_date=day("2026-03-31"))
    make_banner(sunrise, title="Future", start_date=day("2026-04-16"))
    make_banner(lakeside, title="Lakeside's")
    shown = banners_active_on(organization=sunrise, day=day("2026-04-15"))
    assert [b.title for b in shown] == ["Always", "Open start", "Open end"]


def test_active_banners_follow_the_dealers_order(sunrise, make_banner):
    make_banner(sunrise, title="First")
    make_banner(sunrise, title="Second")
    third = make_banner(sunrise, title="Third")
    third.to(0)  # django-ordered-model moves it to the top
    assert titles(sunrise) == ["Third", "First", "Second"]


def test_dst_change_day_ends_at_local_midnight(sunrise, make_banner):
    # Nov 1, 2026: Los Angeles falls back from PDT to PST; the day is 25 hours long.
    make_banner(sunrise, title="DST day", start_date=day("2026-11-01"), end_date=day("2026-11-01"))
    with time_machine.travel(datetime.datetime(2026, 11, 1, 23, 59, tzinfo=LA), tick=False):
        assert titles(sunrise) == ["DST day"]
    with time_machine.travel(datetime.datetime(2026, 11, 2, 0, 0, 30, tzinfo=LA), tick=False):
        assert titles(sunrise) == []
