"""Demo banners for the seed_demo command: generated pictures, varied date ranges."""

from __future__ import annotations

import datetime
import io

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from dealer_media.tenancy.models import Organization

from .models import Banner
from .selectors import local_today

# (title, link or "", start offset in days or None, end offset or None, colours)
DEMO_BANNERS = [
    ("Spring sales event: 0% APR", "#inventory", -3, 30, ("#c8102e", "#4a0612")),
    ("Service special: oil change $29", "#offers", None, None, ("#0b5394", "#06243f")),
    ("Trade-in week: top dollar for your car", "", -7, 0, ("#38761d", "#132a0a")),
    ("Ended last week: clearance", "#offers", -20, -7, ("#666666", "#222222")),
    ("Coming soon: summer preview", "#inventory", 10, 40, ("#e69138", "#5c3508")),
]


def banner_picture(title: str, colors: tuple[str, str], size=(1200, 400)) -> bytes:
    """A JPEG with a vertical gradient and the banner's title."""
    top, bottom = (Image.new("RGB", (1, 1), c).getpixel((0, 0)) for c in colors)
    gradient = Image.new("RGB", (1, size[1]))
    for y in range(size[1]):
        t = y / (size[1] - 1)
        gradient.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    image = gradient.resize(size)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=56)
    draw.text((60, size[1] // 2), title, fill="white", font=font, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _day(today: datetime.date, offset: int | None) -> datetime.date | None:
    return None if offset is None else today + datetime.timedelta(days=offset)


@transaction.atomic
def seed_demo_banners(*, organization: Organization) -> list[Banner]:
    """Create or refresh the demo banners; dates are relative to the dealer's today."""
    today = local_today(organization=organization)
    banners = []
    for title, link, start, end, colors in DEMO_BANNERS:
        banner = Banner.objects.for_org(organization).filter(title=title).first()
        if banner is None:
            banner = Banner(organization=organization, title=title)
        if link.startswith("#"):
            link = f"/site/{organization.slug}/{link}"
        banner.link_url = link
        banner.start_date = _day(today, start)
        banner.end_date = _day(today, end)
        banner.is_active = True
        if not banner.image:
            banner.image.save("banner.jpg", ContentFile(banner_picture(title, colors)), save=False)
            banner.image_width, banner.image_height = 1200, 400
        banner.save()
        banners.append(banner)
    return banners
