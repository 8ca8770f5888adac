"""Dealers pick a date and a time on their own clock; we store UTC.

One module for every conversion, so the form, the portal and the emails agree:

- ``local_schedule_time`` turns the dealer's wall-clock date and time into an
  aware UTC datetime, or refuses it with a message a person understands: in
  the past (beyond a minute of slack), more than a year ahead, or inside a
  daylight-saving gap (a time the clocks skip, e.g. 2:30 AM on the spring
  night in America/Chicago).
- An ambiguous time in the autumn fold (1:30 AM happens twice in Chicago on
  the first Sunday of November) means its **first occurrence**, ``fold=0``,
  the earlier instant, still on daylight time (1:30 AM CDT). ``format_local``
  prints the zone abbreviation, so the dealer sees which one was meant.
- ``to_local``, ``split_local`` and ``format_local`` show stored UTC back on
  the dealership's clock.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from dealer_media.tenancy.models import Organization

UTC = datetime.UTC
SLACK = datetime.timedelta(minutes=1)
HORIZON = datetime.timedelta(days=365)


def _wall(value: datetime.datetime) -> datetime.datetime:
    return value.replace(tzinfo=None, fold=0)


def _clock(value: datetime.datetime | datetime.time) -> str:
    """``2:30 AM``: the way a dealer reads a clock."""
    return f"{value.hour % 12 or 12}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def _day(value: datetime.date) -> str:
    return f"{value:%A}, {value:%B} {value.day}, {value.year}"


def is_in_gap(wall: datetime.datetime, tz: datetime.tzinfo) -> bool:
    """True when the clocks skip ``wall`` (spring forward): no instant shows that time."""
    local = wall.replace(tzinfo=tz, fold=0)
    return _wall(local.astimezone(UTC).astimezone(tz)) != wall


def _gap_bounds(
    wall: datetime.datetime, tz: datetime.tzinfo
) -> tuple[datetime.time, datetime.time]:
    """The wall-clock times on either side of the jump that skips ``wall``."""
    before = wall.replace(tzinfo=tz, fold=0).utcoffset()
    after = wall.replace(tzinfo=tz, fold=1).utcoffset()
    earliest = (wall - before).replace(tzinfo=UTC)  # wall read with the old offset
    latest = (wall - after).replace(tzinfo=UTC)  # wall read with the new offset
    low, high = min(earliest, latest), max(earliest, latest)
    step = datetime.timedelta(minutes=1)
    while low + step <= high and (low + step).astimezone(tz).utcoffset() == before:
        low += step
    change = low + step  # the first minute on the new offset
    return (change + before).time(), (change + after).time()


def local_schedule_time(
    *,
    organization: Organization,
    date: datetime.date,
    time: datetime.time,
    now: datetime.datetime | None = None,
) -> datetime.datetime:
    """The UTC instant the dealer means by ``date`` and ``time`` on their own clock.

    Raises ``ValidationError`` (codes ``dst_gap``, ``past``, ``too_far``) with a
    message to show next to the form's date and time.
    """
    tz = organization.tzinfo
    wall = datetime.datetime.combine(date, time.replace(tzinfo=None, fold=0))
    if is_in_gap(wall, tz):
        jump_from, jump_to = _gap_bounds(wall, tz)
        raise ValidationError(
            f"{_clock(wall)} does not exist on {_day(date)} in {organization.timezone}: "
            f"the clocks jump from {_clock(jump_from)} to {_clock(jump_to)} for daylight "
            f"saving time. Choose a time before {_clock(jump_from)} or from {_clock(jump_to)}.",
            code="dst_gap",
        )
    # fold=0: an ambiguous time is its first occurrence (see the module docstring).
    when = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    now = now or timezone.now()
    if when < now - SLACK:
        raise ValidationError(
            f"{format_local(when, organization)} has already passed. Choose a later time, "
            "or post it now.",
            code="past",
        )
    if when > now + HORIZON:
        raise ValidationError(
            "Posts can be scheduled at most a year ahead, until "
            f"{format_local(now + HORIZON, organization)}.",
            code="too_far",
        )
    return when


def to_local(value: datetime.datetime, organization: Organization) -> datetime.datetime:
    """The stored (UTC) instant on the dealership's clock."""
    return value.astimezone(organization.tzinfo)


def split_local(
    value: datetime.datetime, organization: Organization
) -> tuple[datetime.date, datetime.time]:
    """Date and time for a form's initial values, on the dealership's clock."""
    local = to_local(value, organization)
    return local.date(), local.time().replace(tzinfo=None, fold=0)


def format_local(value: datetime.datetime | None, organization: Organization) -> str:
    """``Sun, Nov 3, 2024, 1:30 AM CDT``: with the zone, so a time in the fold is unambiguous."""
    if value is None:
        return ""
    local = to_local(value, organization)
    return f"{local:%a}, {local:%b} {local.day}, {local.year}, {_clock(local)} {local.tzname()}"


def local_date(value: datetime.datetime, organization: Organization) -> datetime.date:
    """The dealership's calendar date at ``value`` (a banner's start date, a calendar cell)."""
    return to_local(value, organization).date()
