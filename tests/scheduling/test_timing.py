"""The dealer's wall clock to UTC and back, across daylight-saving changes."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dealer_media.tenancy.models import Organization
from media_content import timing

UTC = datetime.UTC
NOW = datetime.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def org(tz: str) -> Organization:
    return Organization(name="Dealer", slug="dealer", timezone=tz)


def schedule(tz: str, date: tuple, time: tuple, now=NOW) -> datetime.datetime:
    return timing.local_schedule_time(
        organization=org(tz), date=datetime.date(*date), time=datetime.time(*time), now=now
    )


def refusal(tz: str, date: tuple, time: tuple, now=NOW) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        schedule(tz, date, time, now)
    return caught.value


@pytest.mark.parametrize(
    ("tz", "date", "time", "expected_utc"),
    [
        # Standard time and daylight time on either side of the spring change.
        ("America/Chicago", (2024, 3, 9), (9, 0), (2024, 3, 9, 15, 0)),
        ("America/Chicago", (2024, 3, 10), (9, 0), (2024, 3, 10, 14, 0)),
        ("America/Los_Angeles", (2024, 3, 9), (9, 0), (2024, 3, 9, 17, 0)),
        ("America/Los_Angeles", (2024, 3, 10), (9, 0), (2024, 3, 10, 16, 0)),
        ("Europe/Berlin", (2024, 3, 30), (9, 0), (2024, 3, 30, 8, 0)),
        ("Europe/Berlin", (2024, 3, 31), (9, 0), (2024, 3, 31, 7, 0)),
        # Just after the jump: the first minute that exists again.
        ("America/Chicago", (2024, 3, 10), (3, 0), (2024, 3, 10, 8, 0)),
        ("Europe/Berlin", (2024, 3, 31), (3, 0), (2024, 3, 31, 1, 0)),
    ],
)
def test_wall_clock_becomes_utc(tz, date, time, expected_utc):
    assert schedule(tz, date, time) == datetime.datetime(*expected_utc, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "date", "time", "said"),
    [
        ("America/Chicago", (2024, 3, 10), (2, 30), "Sunday, March 10, 2024 in America/Chicago"),
        ("America/Los_Angeles", (2024, 3, 10), (2, 0), "Sunday, March 10, 2024"),
        ("Europe/Berlin", (2024, 3, 31), (2, 59), "Sunday, March 31, 2024 in Europe/Berlin"),
    ],
)
def test_a_time_the_clocks_skip_is_refused_with_the_reason(tz, date, time, said):
    error = refusal(tz, date, time)
    assert error.code == "dst_gap"
    message = error.messages[0]
    assert said in message
    assert "the clocks jump from 2:00 AM to 3:00 AM for daylight saving time" in message


def test_a_half_hour_gap_names_its_own_bounds():
    error = refusal("Australia/Lord_Howe", (2024, 10, 6), (2, 10), now=NOW)
    assert "jump from 2:00 AM to 2:30 AM" in error.messages[0]


@pytest.mark.parametrize(
    ("tz", "date", "time", "first_utc", "shown"),
    [
        # 1:30 AM happens twice: CDT (UTC-5) first, then CST (UTC-6). We take the first.
        ("America/Chicago", (2024, 11, 3), (1, 30), (2024, 11, 3, 6, 30), "1:30 AM CDT"),
        ("America/Los_Angeles", (2024, 11, 3), (1, 30), (2024, 11, 3, 8, 30), "1:30 AM PDT"),
        ("Europe/Berlin", (2024, 10, 27), (2, 30), (2024, 10, 27, 0, 30), "2:30 AM CEST"),
    ],
)
def test_an_ambiguous_time_is_its_first_occurrence(tz, date, time, first_utc, shown):
    when = schedule(tz, date, time)
    assert when == datetime.datetime(*first_utc, tzinfo=UTC)
    wall = datetime.datetime(*date, *time)
    tzinfo = org(tz).tzinfo
    assert (
        wall.replace(tzinfo=tzinfo, fold=0).utcoffset()
        != wall.replace(tzinfo=tzinfo, fold=1).utcoffset()
    )  # it happens twice
    assert timing.format_local(when, org(tz)).endswith(shown)
    # The second 1:30 is one hour later; it is a different instant, shown differently.
    second = when + datetime.timedelta(hours=1)
    assert timing.split_local(second, org(tz)) == (datetime.date(*date), datetime.time(*time))
    assert timing.format_local(second, org(tz)) != timing.format_local(when, org(tz))


def test_the_past_is_refused_beyond_a_minute_of_slack():
    now = datetime.datetime(2024, 6, 1, 16, 0, 30, tzinfo=UTC)  # 9:00:30 AM in Los Angeles
    assert schedule("America/Los_Angeles", (2024, 6, 1), (9, 0), now=now) == now.replace(second=0)
    error = refusal("America/Los_Angeles", (2024, 6, 1), (8, 58), now=now)
    assert error.code == "past"
    assert error.messages[0] == (
        "Sat, Jun 1, 2024, 8:58 AM PDT has already passed. Choose a later time, or post it now."
    )


def test_more_than_a_year_ahead_is_refused():
    assert schedule("Europe/Berlin", (2025, 3, 1), (13, 0))  # exactly 365 days ahead: allowed
    error = refusal("Europe/Berlin", (2025, 3, 2), (13, 0))
    assert error.code == "too_far"
    assert "at most a year ahead, until Sat, Mar 1, 2025, 1:00 PM CET" in error.messages[0]


def test_now_defaults_to_the_clock(time_machine):
    time_machine.move_to(datetime.datetime(2024, 7, 4, 15, 0, tzinfo=UTC), tick=False)
    assert schedule("America/Chicago", (2024, 7, 4), (10, 30), now=None) == datetime.datetime(
        2024, 7, 4, 15, 30, tzinfo=UTC
    )
    assert refusal("America/Chicago", (2024, 7, 4), (9, 0), now=None).code == "past"


def test_display_helpers_show_utc_on_the_dealers_clock():
    stored = datetime.datetime(2024, 7, 1, 6, 30, tzinfo=UTC)
    la = org("America/Los_Angeles")
    assert timing.to_local(stored, la).isoformat() == "2024-06-30T23:30:00-07:00"
    assert timing.split_local(stored, la) == (datetime.date(2024, 6, 30), datetime.time(23, 30))
    assert timing.local_date(stored, la) == datetime.date(2024, 6, 30)
    assert timing.format_local(stored, la) == "Sun, Jun 30, 2024, 11:30 PM PDT"
    assert timing.format_local(None, la) == ""
