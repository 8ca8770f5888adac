"""Reads of the embed's impressions and clicks for the Banners page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Sum

from dealer_media.tenancy.models import Organization

from .models import BannerDailyCount

CHART_DAYS = 30


@dataclass
class Period:
    impressions: int = 0
    clicks: int = 0

    @property
    def click_rate(self) -> float | None:
        """Clicks per impression, or None with no impressions (nothing to divide)."""
        return self.clicks / self.impressions if self.impressions else None

    @property
    def click_rate_text(self) -> str:
        rate = self.click_rate
        return "–" if rate is None else f"{rate * 100:.1f} %"


@dataclass
class BannerFigures:
    last_7: Period = field(default_factory=Period)
    last_30: Period = field(default_factory=Period)
    # (day, impressions, clicks) for each of the last 30 local days, oldest first.
    days: list[tuple[datetime.date, int, int]] = field(default_factory=list)

    @property
    def peak(self) -> int:
        return max((impressions for _, impressions, _ in self.days), default=0)

    def bars(self, *, height: int = 32, width: int = 4) -> list[dict]:
        """The small chart's bars (impressions a day), scaled to the busiest day."""
        peak = self.peak or 1
        bars = []
        for n, (day, impressions, clicks) in enumerate(self.days):
            tall = round(impressions / peak * (height - 2)) if impressions else 0
            bars.append(
                {
                    "x": n * width,
                    "y": height - tall,
                    "height": tall,
                    "width": width - 1,
                    "label": f"{day:%b} {day.day}: {impressions} impressions, {clicks} clicks",
                }
            )
        return bars


def banner_figures(*, organization: Organization, today: datetime.date) -> dict[int, BannerFigures]:
    """Per banner id: the last 7 and 30 local days (today included) and a daily series."""
    first = today - datetime.timedelta(days=CHART_DAYS - 1)
    week = today - datetime.timedelta(days=6)
    rows = (
        BannerDailyCount.objects.for_org(organization)
        .filter(day__gte=first, day__lte=today)
        .values_list("banner_id", "day", "impressions", "clicks")
    )
    by_banner: dict[int, dict[datetime.date, tuple[int, int]]] = {}
    for banner_id, day, impressions, clicks in rows:
        by_banner.setdefault(banner_id, {})[day] = (impressions, clicks)
    figures = {}
    for banner_id, days in by_banner.items():
        result = BannerFigures()
        for offset in range(CHART_DAYS):
            day = first + datetime.timedelta(days=offset)
            impressions, clicks = days.get(day, (0, 0))
            result.days.append((day, impressions, clicks))
            result.last_30.impressions += impressions
            result.last_30.clicks += clicks
            if day >= week:
                result.last_7.impressions += impressions
                result.last_7.clicks += clicks
        figures[banner_id] = result
    return figures


def totals(*, organization: Organization) -> dict[str, int]:
    """All-time impressions and clicks of the dealership (for tests and the admin)."""
    return BannerDailyCount.objects.for_org(organization).aggregate(
        impressions=Sum("impressions", default=0),
        clicks=Sum("clicks", default=0),
    )
