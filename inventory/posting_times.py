"""The dealership's posting times: local times per weekday, in its time zone.

``next_posting_time`` is the first of them after ``now``, as a UTC instant. A
local time that does not exist on a day (the spring-forward gap) moves forward
by the jump (02:30 becomes 03:30); an ambiguous one (the autumn repeat) is its
first occurrence, as the portal's scheduling reads it.
"""

import datetime

from django.core.exceptions import ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIMES = ["10:00", "16:00"]


def default_posting_times() -> dict[str, list[str]]:
    return {day: list(DEFAULT_TIMES) for day in WEEKDAYS}


def validate_posting_times(value) -> None:
    if not isinstance(value, dict) or set(value) - set(WEEKDAYS):
        raise ValidationError("Posting times are a list of times for each weekday.")
    for day, times in value.items():
        if not isinstance(times, list) or len(times) > 12:
            raise ValidationError(f"{day.title()}: at most 12 posting times a day.")
        for text in times:
            try:
                datetime.time.fromisoformat(text)
            except (TypeError, ValueError):
                raise ValidationError(
                    f"{day.title()}: “{text}” is not a time like 10:00."
                ) from None
    if not any(value.get(day) for day in WEEKDAYS):
        raise ValidationError("Choose at least one posting time in the week.")


def parse_times(text: str) -> list[str]:
    """ "10:00, 16:30" as the form gives it → ["10:00", "16:30"], sorted; ValueError if not."""
    times = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if len(part) == 4 and part[1] == ":":
            part = "0" + part  # 9:30
        if part:
            times.add(datetime.time.fromisoformat(part).strftime("%H:%M"))
    return sorted(times)


def _instant(day: datetime.date, clock: datetime.time, tz) -> datetime.datetime:
    # fold=0: read with the offset in force before a change, which puts a time in the
    # spring gap after the jump and an ambiguous autumn time at its first occurrence.
    return datetime.datetime.combine(day, clock).replace(tzinfo=tz, fold=0).astimezone(datetime.UTC)


def next_posting_time(
    *, posting_times: dict[str, list[str]], tz, now: datetime.datetime
) -> datetime.datetime:
    """The first posting time strictly after ``now`` (aware), in UTC."""
    local_today = now.astimezone(tz).date()
    for offset in range(8):
        day = local_today + datetime.timedelta(days=offset)
        for text in sorted(posting_times.get(WEEKDAYS[day.weekday()], [])):
            when = _instant(day, datetime.time.fromisoformat(text), tz)
            if when > now:
                return when
    raise ValidationError("The dealership has no posting time in the week.")
