"""Rules: caption templates, UTM links, posting times (DST included), drafts and scheduled posts."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory import captions, importing, rules
from inventory.models import InventoryRule, Vehicle, VehiclePhoto, VehiclePost
from inventory.posting_times import default_posting_times, next_posting_time
from media_content.models import MediaContent, ScheduledPost
from tests.factories import MediaContentFactory

from .conftest import as_csv, make_vin, stock

UTC = datetime.UTC
LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def _vehicle(organization, **changes) -> Vehicle:
    rows = stock(1)
    rows[0].update(changes)
    importing.import_feed(organization=organization, chunks=[as_csv(rows)], complete=False)
    return Vehicle.objects.for_org(organization).get(vin=make_vin(1))


def _with_photos(vehicle: Vehicle, count: int) -> list[MediaContent]:
    items = [MediaContentFactory(organization=vehicle.organization) for _ in range(count)]
    for position, item in enumerate(items):
        VehiclePhoto.objects.create(
            organization=vehicle.organization,
            vehicle=vehicle,
            source_url=f"https://cdn.example/{position}.jpg",
            position=position,
            file=item.lead_file,
        )
    return items


# --- Caption templates and links ------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{colour} {make}", "“{colour}” is not a placeholder we know"),
        ("{make.__class__}", "“{make.__class__}” is not a placeholder we know"),
        ("{price:>10}", "without “:” or “!”"),
        ("{} {make}", "“{}” is empty"),
        ("Half a brace {make", "has no partner"),
    ],
)
def test_unknown_placeholders_refused_in_words(template, problem):
    assert any(problem in p for p in captions.template_problems(template))
    with pytest.raises(ValidationError):
        captions.validate_template(template)


@pytest.mark.django_db
def test_caption_with_every_placeholder_and_utm_link(sunrise):
    vehicle = _vehicle(
        sunrise,
        price="24999 USD",
        url="https://www.sunrisemotors.example/cars/1?ref=feed&utm_source=old",
    )
    Vehicle.objects.filter(pk=vehicle.pk).update(previous_price=Decimal("26500"))
    vehicle.refresh_from_db()
    template = (
        "{year} {make} {model} {trim} {price} {old_price} {mileage} {stock_number} {{sale}} {url}"
    )
    text = captions.render(template, vehicle, network="instagram")
    assert text == (
        "2019 Honda Accord EX-L $24,999 $26,500 1,000 miles S0001 {sale} "
        "https://www.sunrisemotors.example/cars/1?ref=feed&utm_source=instagram"
        "&utm_medium=social&utm_campaign=vehicle-S0001"
    )
    Vehicle.objects.filter(pk=vehicle.pk).update(stock_number="")
    vehicle.refresh_from_db()
    assert captions.tracked_link(vehicle, network="facebook").endswith(
        f"utm_source=facebook&utm_medium=social&utm_campaign=vehicle-{vehicle.vin}"
    )


# --- Posting times ----------------------------------------------------------------------


def _local(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=LA)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-06-10 09:00", "2026-06-10 10:00-07:00"),  # before 10:00 → today 10:00
        ("2026-06-10 10:00", "2026-06-10 16:00-07:00"),  # strictly after
        ("2026-06-10 17:00", "2026-06-11 10:00-07:00"),  # tomorrow
        ("2026-03-07 17:00", "2026-03-08 10:00-07:00"),  # spring forward: 10:00 PDT on the day
        ("2026-10-31 17:00", "2026-11-01 10:00-08:00"),  # fall back: 10:00 PST on the day
    ],
)
def test_next_posting_time_local_and_dst_correct(now, expected):
    when = next_posting_time(posting_times=default_posting_times(), tz=LA, now=_local(now))
    assert when == datetime.datetime.fromisoformat(expected)
    assert when.astimezone(LA).strftime("%H:%M") in ("10:00", "16:00")


def test_times_per_weekday_and_the_spring_gap():
    times = {day: [] for day in default_posting_times()}
    times["sun"] = ["02:30"]  # does not exist on 2026-03-08 in Los Angeles
    when = next_posting_time(posting_times=times, tz=LA, now=_local("2026-03-06 12:00"))
    assert when.astimezone(LA).isoformat() == "2026-03-08T03:30:00-07:00"
    times = {**times, "sun": [], "wed": ["09:15"]}
    when = next_posting_time(posting_times=times, tz=LA, now=_local("2026-03-06 12:00"))
    assert when.astimezone(LA).isoformat() == "2026-03-11T09:15:00-07:00"


# --- Rules making posts --------------------------------------------------------------------


@pytest.mark.django_db
def test_just_arrived_draft_of_several_items(sunrise):
    vehicle = _vehicle(sunrise)
    items = _with_photos(vehicle, 12)
    rules.rule_save(organization=sunrise, kind="just_arrived", mode="draft", post_to_banner=False)
    lead = rules.apply_rule(vehicle=vehicle, kind="just_arrived")
    assert lead.pk not in {i.pk for i in items}  # a post of its own, carrying the photos
    assert lead.status == MediaContent.Status.DRAFT
    assert lead.title == "Just arrived: 2019 Honda Accord"
    assert lead.instagram_caption.startswith(
        "Just arrived: 2019 Honda Accord EX-L, 1,000 miles, $21,000."
    )
    assert "utm_source=instagram" in lead.instagram_caption
    assert "utm_source=facebook" in lead.facebook_caption
    assert [f.pk for f in lead.files_in_order()] == [
        i.lead_file.pk for i in items[:10]
    ]  # up to the destinations' limit
    assert not ScheduledPost.objects.exists()
    assert rules.apply_rule(vehicle=vehicle, kind="just_arrived") is None  # once per event
    assert VehiclePost.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "local_post_time"),
    [
        ("2026-03-07T17:00:00-08:00", "2026-03-08T10:00:00-07:00"),  # across spring forward
        ("2026-10-31T11:00:00-07:00", "2026-10-31T16:00:00-07:00"),
        ("2026-10-31T17:00:00-07:00", "2026-11-01T10:00:00-08:00"),  # across fall back
    ],
)
def test_price_drop_scheduled_at_the_next_local_posting_time(sunrise, now, local_post_time):
    vehicle = _vehicle(sunrise)
    _with_photos(vehicle, 2)
    rules.rule_save(
        organization=sunrise,
        kind="price_drop",
        mode="schedule",
        post_to_instagram=False,
        post_to_banner=True,
        banner_days=5,
        min_drop_amount=Decimal("500"),
    )
    with time_machine.travel(datetime.datetime.fromisoformat(now), tick=False):
        _vehicle(sunrise, price="20000 USD")  # 21,000 → 20,000
        vehicle.refresh_from_db()
        lead = rules.apply_rule(vehicle=vehicle, kind="price_drop")
    posts = ScheduledPost.objects.filter(media_content=lead)
    assert sorted(posts.values_list("destination", flat=True)) == ["banner", "facebook"]
    expected = datetime.datetime.fromisoformat(local_post_time)
    assert {p.scheduled_time for p in posts} == {expected}
    assert lead.banner_end_date == expected.date() + datetime.timedelta(days=5)
    assert "now $20,000 (was $21,000)" in lead.facebook_caption
    assert len(lead.items()) == 2


@pytest.mark.django_db
def test_a_drop_too_small_posts_nothing(sunrise):
    vehicle = _vehicle(sunrise)
    _with_photos(vehicle, 1)
    rules.rule_save(
        organization=sunrise,
        kind="price_drop",
        mode="draft",
        min_drop_amount=Decimal("1000"),
        min_drop_percent=Decimal("10"),
    )
    _vehicle(sunrise, price="20500 USD")  # 500 and 2.4 %
    vehicle.refresh_from_db()
    assert rules.apply_rule(vehicle=vehicle, kind="price_drop") is None
    rules.rule_save(organization=sunrise, kind="price_drop", min_drop_percent=Decimal("2"))
    assert rules.apply_rule(vehicle=vehicle, kind="price_drop") is not None


@pytest.mark.django_db
def test_off_rules_and_vehicles_without_photos_post_nothing(sunrise):
    vehicle = _vehicle(sunrise)
    assert rules.apply_rule(vehicle=vehicle, kind="just_arrived") is None  # off by default
    rules.rule_save(organization=sunrise, kind="just_arrived", mode="draft")
    assert rules.apply_rule(vehicle=vehicle, kind="just_arrived") is None  # no photo yet
    assert not MediaContent.objects.exists()


@pytest.mark.django_db
def test_rule_refuses_an_unknown_placeholder_at_save(sunrise):
    with pytest.raises(ValidationError) as refused:
        rules.rule_save(organization=sunrise, kind="sold", caption_template="Sold {colour}")
    assert "“{colour}” is not a placeholder we know" in str(refused.value)
    assert not InventoryRule.objects.exists()


@pytest.mark.django_db
def test_just_arrived_after_photos_of_a_later_import_only(
    sunrise, feed_server, django_capture_on_commit_callbacks
):
    from .test_photos import jpeg

    feed_server.serve("/a.jpg", jpeg("red"), "image/jpeg")
    feed_server.serve("/b.jpg", jpeg("blue"), "image/jpeg")
    rules.rule_save(organization=sunrise, kind="just_arrived", mode="draft")
    rows = stock(2)
    for row in rows:
        row["image[0].url"], row["image[1].url"] = feed_server.url("/a.jpg"), ""
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_feed(organization=sunrise, chunks=[as_csv(rows[:1])])
    assert not VehiclePost.objects.exists()  # the first import is the stock, not arrivals
    rows[1]["image[0].url"] = feed_server.url("/b.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    post = VehiclePost.objects.get()
    assert (post.kind, post.vehicle.vin) == ("just_arrived", make_vin(2))
    assert post.media_content.title == "Just arrived: 2020 Toyota Camry"
    assert timezone.now() - post.created_at < datetime.timedelta(minutes=5)
