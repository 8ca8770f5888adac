"""Ribbons on the cover photo: drawn on a real photo, named by what they show, made once,
in the dealership's colour, which owners set and nobody else can."""

import io
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from PIL import Image

from dealer_media.tenancy.models import Organization
from inventory import importing, rules
from inventory.models import Vehicle
from library.models import Rendition
from library.processing.renditions import rendition_get_or_create, save_rendition
from library.processing.services import rendition_make, request_processing
from media_content import ribbons
from media_content.models import MediaContent
from media_content.ribbons import ribbon_set
from tests.factories import MediaContentFactory
from tests.processing.media import image_bytes

from .conftest import as_csv, make_vin, stock

pytestmark = pytest.mark.django_db


def _close(pixel, colour, tolerance=14) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def _picture(rendition: Rendition) -> Image.Image:
    with rendition.file.open("rb") as handle:
        picture = Image.open(io.BytesIO(handle.read()))
        picture.load()
    return picture


def _draw(media, text, capture):
    with capture(execute=True):  # the worker (eager) draws it after the commit
        ribbon_set(media=media, text=text)
    media.refresh_from_db()
    return ribbons.ribbon_for(media)


def test_the_ribbon_on_a_real_photo_is_in_the_brand_colour_oriented_without_exif(
    sunrise, django_capture_on_commit_callbacks
):
    sunrise.brand_colour = "#fde047"  # a light yellow: the text must be near-black
    sunrise.save()
    # Stored 1200x800 on its side (EXIF orientation 6) with GPS: shown as 800x1200,
    # its left half (red) on top.
    photo = image_bytes(1200, 800, orientation=6, gps=True, halves=("red", "blue"))
    media = MediaContentFactory(
        organization=sunrise,
        file=ContentFile(photo, name="car.jpg"),
        processing_status=MediaContent.ProcessingStatus.PENDING,
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_processing(media=media.lead_file)
    media.refresh_from_db()
    drawn = _draw(media, "Just arrived", django_capture_on_commit_callbacks)

    assert drawn.spec.startswith("ribbon-just-arrived-")
    picture = _picture(drawn)
    assert picture.format == "JPEG" and picture.size == (800, 1200)
    assert (drawn.width, drawn.height) == (800, 1200)
    assert not picture.getexif() and "exif" not in picture.info and "xmp" not in picture.info
    rgb = picture.convert("RGB")
    band = round(800 * ribbons.BAND_SHARE)
    for x in (3, 400, 796):  # the band's bottom row, left to right
        assert _close(rgb.getpixel((x, 1196)), (0xFD, 0xE0, 0x47))
    assert _close(rgb.getpixel((400, 1200 - band - 8)), (0, 0, 255))  # the photo above it
    assert _close(rgb.getpixel((400, 8)), (255, 0, 0))  # the top, turned the right way
    inked = sum(
        1
        for x in range(0, 800, 2)
        for y in range(1200 - band, 1200, 2)
        if _close(rgb.getpixel((x, y)), ribbons.DARK_TEXT, 40)
    )
    assert inked > 200  # the text and the dealership's name, in near-black


def test_text_colour_by_contrast():
    assert ribbons.text_colour_on(ribbons.hex_to_rgb("#b91c1c")) == ribbons.LIGHT_TEXT
    assert ribbons.text_colour_on(ribbons.hex_to_rgb("#fde047")) == ribbons.DARK_TEXT
    assert ribbons.contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    # The default colour passes WCAG AA (4.5:1) for white text.
    assert ribbons.contrast_ratio(ribbons.LIGHT_TEXT, ribbons.hex_to_rgb("#b91c1c")) > 4.5


def test_for_instagram_the_ribbon_is_drawn_on_the_instagram_ready_shape(
    sunrise, django_capture_on_commit_callbacks
):
    tall = image_bytes(1000, 2000)  # taller than 4:5
    media = MediaContentFactory(
        organization=sunrise,
        file=ContentFile(tall, name="tall.jpg"),
        width=1000,
        height=2000,
        post_to_instagram=True,
        instagram_fit="pad",
    )
    drawn = _draw(media, "SOLD", django_capture_on_commit_callbacks)
    picture = _picture(drawn)
    assert picture.size == (1440, 1800)
    assert Fraction(4, 5) <= Fraction(*picture.size) <= Fraction(191, 100)
    assert 320 <= picture.width <= 1440 and drawn.size_bytes < 8 * 1024 * 1024
    assert _close(picture.convert("RGB").getpixel((3, 1796)), (0xB9, 0x1C, 0x1C))


def test_the_spec_changes_with_the_price_the_colour_and_the_name(sunrise):
    rows = stock(1)
    rows[0]["price"] = "12900 USD"
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)], complete=False)
    vehicle = Vehicle.objects.for_org(sunrise).get(vin=make_vin(1))
    assert rules.ribbon_text(vehicle=vehicle, kind="price_drop") == "Price drop: $12,900"
    assert rules.ribbon_text(vehicle=vehicle, kind="sold") == "SOLD"
    media = MediaContentFactory(organization=sunrise, ribbon_text="Price drop: $12,900")
    first = ribbons.ribbon_spec(media)
    assert first.startswith("ribbon-price-drop-12900-")

    vehicle.sale_price, vehicle.currency = Decimal("12500"), "CAD"
    media.ribbon_text = rules.ribbon_text(vehicle=vehicle, kind="price_drop")
    assert media.ribbon_text == "Price drop: $12,500"
    cheaper = ribbons.ribbon_spec(media)
    sunrise.brand_colour = "#1d4ed8"
    recoloured = ribbons.ribbon_spec(media)
    sunrise.name = "Sunrise Motors West"
    renamed = ribbons.ribbon_spec(media)
    assert len({first, cheaper, recoloured, renamed}) == 4
    assert all(len(spec) <= Rendition._meta.get_field("spec").max_length for spec in [renamed])


def test_a_new_colour_draws_the_waiting_ribbons_again(sunrise, django_capture_on_commit_callbacks):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    old = _draw(media, "Just arrived", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        sunrise.brand_colour = "#1d4ed8"
        sunrise.save()
    media.refresh_from_db()
    new = ribbons.ribbon_for(media)
    assert new is not None and new.spec != old.spec
    assert list(media.lead_file.renditions.filter(spec__startswith="ribbon-")) == [new]
    assert _close(_picture(new).convert("RGB").getpixel((3, 796)), (0x1D, 0x4E, 0xD8))
    assert not new.file.storage.exists(old.file.name)  # the old picture went after the commit


def test_made_once_the_loser_of_a_race_deletes_its_own_file(sunrise):
    media = MediaContentFactory(organization=sunrise, ribbon_text="SOLD")
    spec = ribbons.ribbon_spec(media)
    rendition_make(media_id=media.lead_file.pk, spec=spec)
    rendition_make(media_id=media.lead_file.pk, spec=spec)  # a duplicate delivery
    [kept] = Rendition.objects.filter(media=media.lead_file, spec=spec)
    assert rendition_get_or_create(media=media.lead_file, spec=spec) == kept
    # Another worker that rendered at the same time saves second: it gets the kept row back.
    loser = save_rendition(
        media=media.lead_file, spec=spec, data=image_bytes(64, 64), size=(64, 64)
    )
    assert loser == kept and Rendition.objects.filter(media=media.lead_file, spec=spec).count() == 1
    folder, name = kept.file.name.rsplit("/", 1)
    assert kept.file.storage.listdir(folder)[1] == [name]  # the loser's file is gone


def test_a_ribbon_asked_for_before_a_change_is_not_kept(sunrise):
    media = MediaContentFactory(organization=sunrise, ribbon_text="Just arrived")
    old_spec = ribbons.ribbon_spec(media)
    MediaContent.objects.filter(pk=media.pk).update(ribbon_text="SOLD")
    rendition_make(media_id=media.lead_file.pk, spec=old_spec)
    assert not Rendition.objects.filter(media=media.lead_file).exists()


def test_a_photo_too_small_for_a_ribbon_says_so(sunrise, django_capture_on_commit_callbacks):
    media = MediaContentFactory(
        organization=sunrise, file=ContentFile(image_bytes(40, 30), name="tiny.jpg")
    )
    assert _draw(media, "SOLD", django_capture_on_commit_callbacks) is None
    assert media.lead_file.ribbon_error == "The photo is too small to draw a ribbon on."
    assert not ribbons.ribbon_pending(media)


# --- The brand colour ---------------------------------------------------------------------


def test_brand_colour_refused_in_words_and_saved_by_owners(sunrise, sunrise_client):
    response = sunrise_client.post("/marketing/inventory/brand", {"brand_colour": "red"})
    assert response.status_code == 400
    assert "“red” is not a colour we can use" in response.content.decode()
    sunrise.refresh_from_db()
    assert sunrise.brand_colour == "#b91c1c"

    response = sunrise_client.post("/marketing/inventory/brand", {"brand_colour": "#1D4ED8"})
    assert response.status_code == 302 and response["Location"].endswith("#ribbons")
    sunrise.refresh_from_db()
    assert sunrise.brand_colour == "#1d4ed8"
    page = sunrise_client.get("/marketing/inventory/settings").content.decode()
    assert 'name="brand_colour" value="#1d4ed8"' in page


def test_brand_colour_is_an_owners_setting(sunrise, client):
    from tests.factories import MembershipFactory, UserFactory

    editor = MembershipFactory(organization=sunrise, user=UserFactory(), role="editor").user
    client.force_login(editor)
    response = client.post("/marketing/inventory/brand", {"brand_colour": "#000000"})
    assert response.status_code == 403
    sunrise.refresh_from_db()
    assert sunrise.brand_colour == "#b91c1c"


def test_the_database_keeps_brand_colours_well_formed(sunrise):
    with pytest.raises(ValidationError) as refused:
        Organization(name="X", slug="x", brand_colour="#12345").full_clean()
    assert "six hexadecimal digits" in str(refused.value)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Organization.objects.filter(pk=sunrise.pk).update(brand_colour="blue")


# --- The portal ---------------------------------------------------------------------------


def test_the_approval_page_shows_the_ribbon_and_a_draft_can_lose_it(
    sunrise, sunrise_client, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True, post_to_banner=True)
    drawn = _draw(media, "Just arrived", django_capture_on_commit_callbacks)
    page = sunrise_client.get(f"/marketing/media/{media.pk}/approval").content.decode()
    assert f'src="{drawn.url}"' in page  # the previews show what goes out
    assert "goes out with the ribbon “Just arrived”" in page
    data = sunrise_client.get(f"/marketing/media/{media.pk}/get").json()
    assert data["ribbon"]["url"] == drawn.url
    assert any("ribbon" in w for w in data["checks"]["facebook"]["warnings"])

    with django_capture_on_commit_callbacks(execute=True):
        response = sunrise_client.post(f"/marketing/media/{media.pk}/ribbon/remove")
    assert response.status_code == 302
    media.refresh_from_db()
    assert media.ribbon_text == "" and not media.lead_file.renditions.filter(
        spec__startswith="ribbon-"
    )
    page = sunrise_client.get(f"/marketing/media/{media.pk}/approval").content.decode()
    assert drawn.url not in page and f'src="{media.media_url}"' in page
    response = sunrise_client.post(f"/marketing/media/{media.pk}/ribbon/remove")
    assert response.status_code == 400 and "no ribbon to remove" in response.content.decode()


def test_another_dealership_cannot_see_or_touch_the_ribbon(
    sunrise, lakeside, lakeside_client, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    drawn = _draw(media, "SOLD", django_capture_on_commit_callbacks)
    assert lakeside_client.get(f"/marketing/media/{media.pk}/approval").status_code == 404
    assert lakeside_client.post(f"/marketing/media/{media.pk}/ribbon/remove").status_code == 404
    response = lakeside_client.post("/marketing/inventory/brand", {"brand_colour": "#000000"})
    assert response.status_code == 302
    media.refresh_from_db()
    sunrise.refresh_from_db()
    lakeside.refresh_from_db()
    assert (media.ribbon_text, sunrise.brand_colour, lakeside.brand_colour) == (
        "SOLD",
        "#b91c1c",
        "#000000",
    )
    assert ribbons.ribbon_for(media) == drawn  # Lakeside's colour drew nothing of Sunrise's


def test_the_admin_edits_the_brand_colour(sunrise, superuser, client):
    from django.urls import reverse

    client.force_login(superuser)
    url = reverse("admin:tenancy_organization_change", args=[sunrise.pk])
    form = {
        "name": sunrise.name,
        "slug": sunrise.slug,
        "timezone": sunrise.timezone,
        "site_host_names": "[]",
        "approval_policy": sunrise.approval_policy,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    response = client.post(url, {**form, "brand_colour": "navy"})
    assert response.status_code == 200 and "“navy” is not a colour we can use" in (
        response.content.decode()
    )
    response = client.post(url, {**form, "brand_colour": "#1D4ED8"})
    assert response.status_code == 302
    sunrise.refresh_from_db()
    assert sunrise.brand_colour == "#1d4ed8"
