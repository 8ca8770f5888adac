"""The rules and posting times on the inventory settings page."""

import pytest
from django.test import Client

from dealer_media.tenancy.models import Membership
from inventory import importing
from inventory.models import InventoryRule, PostingTimes
from tests.factories import MembershipFactory, UserFactory

from .conftest import as_csv, stock

pytestmark = pytest.mark.django_db

RULE = {
    "mode": "schedule",
    "post_to_facebook": "on",
    "post_to_banner": "on",
    "banner_days": "10",
    "caption_template": "Now {price}, was {old_price}: {year} {make} {model} {url}",
    "min_drop_amount": "500",
    "min_drop_percent": "",
}


def test_save_a_rule(sunrise, sunrise_client):
    response = sunrise_client.post("/marketing/inventory/rules/price_drop", RULE)
    assert response.status_code == 302 and response["Location"].endswith("#rule-price_drop")
    rule = InventoryRule.objects.for_org(sunrise).get(kind="price_drop")
    assert (rule.mode, rule.destinations, rule.banner_days) == (
        "schedule",
        ["facebook", "banner"],
        10,
    )
    assert str(rule.min_drop_amount) == "500.00" and rule.min_drop_percent is None


def test_unknown_placeholder_refused_in_words(sunrise, sunrise_client):
    response = sunrise_client.post(
        "/marketing/inventory/rules/just_arrived",
        {**RULE, "caption_template": "New {colour} {make}"},
    )
    assert response.status_code == 400
    assert "“{colour}” is not a placeholder we know" in response.content.decode()
    assert not InventoryRule.objects.exists()


def test_a_rule_on_without_destinations_is_refused(sunrise, sunrise_client):
    data = {k: v for k, v in RULE.items() if not k.startswith("post_to")}
    response = sunrise_client.post("/marketing/inventory/rules/sold", data)
    assert response.status_code == 400
    assert "Choose at least one destination" in response.content.decode()


def test_live_preview_on_a_real_vehicle(sunrise, sunrise_client, lakeside_user):
    rows = stock(2)
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    rows[0]["price"] = "20000 USD"
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    answer = sunrise_client.get(
        "/marketing/inventory/rules/preview",
        {"kind": "price_drop", "template": "{year} {make} now {price}, was {old_price} {url}"},
    ).json()
    assert answer["problems"] == [], answer
    assert answer["text"].startswith("2019 Honda now $20,000, was $21,000 https://"), answer
    assert "utm_campaign=vehicle-S0001" in answer["text"]
    bad = sunrise_client.get("/marketing/inventory/rules/preview", {"template": "{nope}"}).json()
    assert "“{nope}” is not a placeholder we know" in bad["problems"][0]
    lakeside_client = Client()
    lakeside_client.force_login(lakeside_user)
    other = lakeside_client.get("/marketing/inventory/rules/preview", {"template": "{make}"}).json()
    assert other["text"] == "" and other["vehicle"] == ""  # never another dealership's car
    page = sunrise_client.get("/marketing/inventory/settings").content.decode()
    assert "Preview on the 2019 Honda Accord" in page


def test_posting_times(sunrise, sunrise_client):
    data = {
        "mon": "16:00, 9:30",
        "tue": "",
        "wed": "10:00",
        "thu": "",
        "fri": "",
        "sat": "",
        "sun": "",
    }
    assert sunrise_client.post("/marketing/inventory/posting-times", data).status_code == 302
    times = PostingTimes.objects.for_org(sunrise).get().times
    assert times["mon"] == ["09:30", "16:00"] and times["tue"] == [] and times["wed"] == ["10:00"]
    response = sunrise_client.post("/marketing/inventory/posting-times", {**data, "tue": "teatime"})
    assert response.status_code == 400
    assert "“teatime” is not a list of times like 10:00, 16:00." in response.content.decode()
    empty = dict.fromkeys(data, "")
    response = sunrise_client.post("/marketing/inventory/posting-times", empty)
    assert "Choose at least one posting time in the week." in response.content.decode()


def test_only_owners_change_rules(sunrise, client):
    editor = MembershipFactory(
        organization=sunrise, user=UserFactory(username="ed"), role=Membership.Role.EDITOR
    ).user
    client.force_login(editor)
    assert client.post("/marketing/inventory/rules/sold", RULE).status_code == 403
    assert client.post("/marketing/inventory/posting-times", {"mon": "10:00"}).status_code == 403
    page = client.get("/marketing/inventory/settings").content.decode()
    assert "<fieldset disabled>" in page
    assert not InventoryRule.objects.exists() and not PostingTimes.objects.exists()


def test_post_one_vehicle_from_the_inventory_page(sunrise, sunrise_client, lakeside_user):
    from inventory.models import Vehicle, VehiclePhoto
    from media_content.models import MediaContent, ScheduledPost
    from tests.factories import MediaContentFactory

    importing.import_feed(organization=sunrise, chunks=[as_csv(stock(2))])
    vehicle = Vehicle.objects.for_org(sunrise).order_by("pk").first()
    bare = Vehicle.objects.for_org(sunrise).order_by("pk").last()
    items = [MediaContentFactory(organization=sunrise) for _ in range(3)]
    for position, item in enumerate(items):
        VehiclePhoto.objects.create(
            organization=sunrise,
            vehicle=vehicle,
            source_url=f"https://cdn.example/{position}.jpg",
            position=position,
            file=item.lead_file,
        )
    page = sunrise_client.get("/marketing/inventory").content.decode()
    assert f'action="/marketing/inventory/{vehicle.pk}/post"' in page
    assert f'action="/marketing/inventory/{bare.pk}/post"' not in page  # no photo yet

    response = sunrise_client.post(f"/marketing/inventory/{vehicle.pk}/post")
    assert response.status_code == 302
    lead = MediaContent.objects.order_by("-pk").first()  # a new post of the photos
    assert response["Location"] == f"/marketing/media/{lead.pk}/approval"
    assert [f.pk for f in lead.files_in_order()] == [i.lead_file.pk for i in items]
    assert (
        lead.title.startswith("Just arrived: ") and "utm_source=instagram" in lead.instagram_caption
    )
    assert not ScheduledPost.objects.exists()  # a draft to review

    other = Client()
    other.force_login(lakeside_user)
    assert other.post(f"/marketing/inventory/{vehicle.pk}/post").status_code == 404
