"""The portal's calendar: a month or a week of posts, placed on the dealership's local dates."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from dealer_media.tenancy.models import Organization

from .models import Destination, ScheduledPost
from .selectors import POST_BADGE, posts_between

MONTH = "month"
WEEK = "week"


@dataclass
class CalendarEntry:
    """One item at one local time; its destinations folded together."""

    key: tuple
    title: str
    local_time: datetime.datetime
    thumbnail_url: str = ""
    media_type: str = ""
    destinations: list[str] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)
    # Destinations of posts still to go out that are not connected now.
    needs_connection: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if "failed" in self.statuses:
            return "failed"
        if self.statuses == {"posted"}:
            return "posted"
        if "unconfirmed" in self.statuses:
            return "unconfirmed"
        if "waiting" in self.statuses:
            return "waiting"
        return "scheduled"


@dataclass
class CalendarDay:
    date: datetime.date
    in_period: bool
    is_today: bool
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass
class CalendarPeriod:
    view: str
    anchor: datetime.date
    title: str
    previous: datetime.date
    next: datetime.date
    weeks: list[list[CalendarDay]]

    @property
    def entry_count(self) -> int:
        return sum(len(day.entries) for week in self.weeks for day in week if day.in_period)


def _sunday_on_or_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def _month_bounds(anchor: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = anchor.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def calendar_period(
    *,
    organization: Organization,
    view: str,
    anchor: datetime.date,
    blocked: dict[str, str] | None = None,
) -> CalendarPeriod:
    """Build the grid of ``view`` (month or week) around ``anchor``, with its posts.

    Bounds are local midnights in the dealership's zone, so a post at 11 pm in
    Los Angeles lands on that evening's square, not on the next UTC day.
    """
    tzinfo = organization.tzinfo
    if view == WEEK:
        start = _sunday_on_or_before(anchor)
        last = start + datetime.timedelta(days=6)
        period_first, period_last = start, last
        week_end = last
        title = f"{start:%b} {start.day} – {last:%b} {last.day}, {last.year}"
        previous, following = (
            anchor - datetime.timedelta(days=7),
            anchor + datetime.timedelta(days=7),
        )
    else:
        view = MONTH
        period_first, period_last = _month_bounds(anchor)
        start = _sunday_on_or_before(period_first)
        week_end = _sunday_on_or_before(period_last) + datetime.timedelta(days=6)
        title = f"{period_first:%B %Y}"
        previous = (period_first - datetime.timedelta(days=1)).replace(day=1)
        following = period_last + datetime.timedelta(days=1)

    today = timezone.localdate(timezone=tzinfo)
    days: dict[datetime.date, CalendarDay] = {}
    day = start
    while day <= week_end:
        days[day] = CalendarDay(
            date=day, in_period=period_first <= day <= period_last, is_today=day == today
        )
        day += datetime.timedelta(days=1)

    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tzinfo)
    end = datetime.datetime.combine(
        week_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tzinfo
    )
    entries: dict[tuple, CalendarEntry] = {}
    for post in posts_between(organization=organization, start=begin, end=end):
        local = post.happened_at.astimezone(tzinfo)
        media = post.media_content
        # One entry per item and local day: its destinations go out moments apart.
        key = (local.date(), post.media_content_id or f"post-{post.pk}")
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = CalendarEntry(
                key=key,
                title=media.title if media else post.title,
                local_time=local,
                thumbnail_url=media.thumbnail_url if media else "",
                media_type=media.media_type if media else "",
            )
            days[local.date()].entries.append(entry)
        entry.local_time = min(entry.local_time, local)
        entry.destinations.append(Destination(post.destination).label)
        entry.statuses.add(POST_BADGE.get(post.status, ScheduledPost.Status(post.status).value))
        waiting = post.status in (ScheduledPost.Status.PENDING, ScheduledPost.Status.QUEUED)
        if waiting and post.destination in (blocked or {}):
            entry.needs_connection.append(Destination(post.destination).label)

    ordered = list(days.values())
    weeks = [ordered[i : i + 7] for i in range(0, len(ordered), 7)]
    return CalendarPeriod(
        view=view, anchor=anchor, title=title, previous=previous, next=following, weeks=weeks
    )
