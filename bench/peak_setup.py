"""The data of ``bench/peak.py``, made through the product's own services (a child process).

    python bench/peak_setup.py drafts --first 0 --count 30 --posts 300 --dealerships 30 --network facebook
    python bench/peak_setup.py schedule --first 0 --count 30 --when 2026-12-08T10:00:00+00:00
    python bench/peak_setup.py post-now      (waits for a line on stdin, then posts)
    python bench/peak_setup.py reel          (waits for a line on stdin, then asks for the Reel)

``drafts`` makes dealerships ``first`` to ``first + count - 1``: each with an owner, its
Facebook Page connected as the Connections page leaves it (encrypted Page token, the
linked Instagram account, checked just now), and its share of the posts: a small real
JPEG each (other pixels, so other bytes) added with ``media_create`` like an upload,
processed by the real ``process_media`` task (run eagerly here: thumbnail, display copy,
metadata), kept a draft. Dealership 0 also gets the draft that is posted now during the
peak, and a vehicle with 8 photos in the library for the Reel.

``schedule`` schedules every draft of those dealerships for the peak at ``when`` through
``going_out.post_schedule``, the portal's Schedule, as its owner.

Each action prints one JSON line last.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealer_media.settings")

TOKEN_PREFIX = "EAAGpeakBenchPageToken"  # noqa: S105 - the fake's, nothing real
PEAK_TITLE = "Peak"  # every post of the peak: "Peak 0007-003"
NOW_TITLE = "Post now during the peak"
REEL_PHOTOS = 8


def setup_django() -> None:
    import django

    django.setup()


def slug(number: int) -> str:
    return f"peak-{number:04d}"


def jpeg(number: int, size: tuple[int, int]) -> bytes:
    """A small photo-like JPEG whose bytes differ from every other's."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (30 + number * 7 % 200, 60 + number * 13 % 150, 90))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((width // 5, height // 2, width * 4 // 5, height * 3 // 4), fill=(180, 20, 30))
    draw.text((20, 20), f"Peak photo {number}", fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def add_post(*, organization, owner, number: int, title: str, network: str, size, workdir: Path):
    """A processed photo and a draft post of it, for ``network``, as an upload makes them."""
    from media_content.services import MediaDetails, media_create

    path = workdir / f"{number}.jpg"
    path.write_bytes(jpeg(number, size))
    return media_create(
        organization=organization,
        created_by=owner,
        path=str(path),
        original_filename=f"IMG_{number:05d}.jpg",
        details=MediaDetails(
            title=title,
            description="Zero down on every SUV this weekend. Come see us!",
            link_url=f"https://{organization.slug}.example/offers",
            post_to_facebook=network == "facebook",
            post_to_instagram=network == "instagram",
        ),
    )


def dealership(number: int):
    """A dealership with an owner and its Facebook Page (and Instagram account) connected."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dealer_media.tenancy.models import Membership, Organization
    from social.models import SocialAccount
    from tests.social.fake_graph import ALL_SCOPES

    organization = Organization.objects.create(
        name=f"Peak Motors {number}", slug=slug(number), timezone="America/Chicago"
    )
    owner = get_user_model()(
        username=f"owner-{slug(number)}", email=f"owner@{slug(number)}.example"
    )
    owner.set_unusable_password()  # no sign-in in the bench; hashing 300 passwords is slow
    owner.save()
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    now = timezone.now()
    account = SocialAccount(
        organization=organization,
        page_id=str(100000 + number),
        page_name=organization.name,
        instagram_account_id=str(17841400000000 + number),
        instagram_username=slug(number).replace("-", ""),
        facebook_user_id=str(900000 + number),
        permissions=list(ALL_SCOPES),
        data_access_expires_at=now + datetime.timedelta(days=90),
        status=SocialAccount.Status.CONNECTED,
        verified_at=now,
        connected_at=now,
        connected_by=owner,
    )
    account.set_token(f"{TOKEN_PREFIX}{number:06d}xyz")
    account.save()
    return organization, owner


def reel_vehicle(organization, owner, workdir: Path) -> int:
    """A vehicle of the feed with 8 photos in the library (as the photo fetcher leaves them)."""
    from PIL import Image, ImageDraw

    from inventory import importing
    from inventory.models import Vehicle, VehiclePhoto
    from inventory.vins import check_digit
    from media_content.services import MediaDetails, media_create

    draft = "1HGCM826X3A000001"
    vin = draft[:8] + check_digit(draft) + draft[9:]
    row = (
        "vehicle_id,vin,make,model,year,trim,mileage.value,mileage.unit,price,"
        "state_of_vehicle,exterior_color,body_style,url,description,availability\n"
        f"V1,{vin},Honda,Accord,2021,EX-L,12000,MI,23500 USD,used,Blue,Sedan,"
        f"https://{organization.slug}.example/cars/1,One owner,available\n"
    )
    importing.import_feed(organization=organization, chunks=[row.encode()])
    vehicle = Vehicle.objects.for_org(organization).get()
    for position in range(REEL_PHOTOS):
        # A 1600x1200 photo with detail (as tests/inventory/reel_photos.py draws them).
        size = (1600, 1200)
        gradient = Image.linear_gradient("L").resize(size)
        fractal = Image.effect_mandelbrot(size, (-2.0 + position / 10, -1.2, 1.0, 1.2), 40)
        image = Image.merge("RGB", (gradient, fractal, Image.effect_noise(size, 30)))
        ImageDraw.Draw(image).rectangle((320, 600, 1280, 900), fill=(180, 20, 30))
        path = workdir / f"car-{position}.jpg"
        image.save(path, "JPEG", quality=85)
        media = media_create(
            organization=organization,
            created_by=owner,
            path=str(path),
            original_filename=f"car-{position}.jpg",
            details=MediaDetails(
                title=f"{vehicle} – photo {position + 1}", schedule_mode="library"
            ),
        )
        VehiclePhoto.objects.create(
            organization=organization,
            vehicle=vehicle,
            source_url=f"https://cdn.{organization.slug}.example/1/{position}.jpg",
            position=position,
            file=media,
            fetched_at=media.created_at,
        )
    return vehicle.pk


def drafts(args) -> dict:
    setup_django()
    share, extra = divmod(args.posts, args.dealerships)
    size = tuple(int(side) for side in args.size.split("x"))
    made, started = 0, time.monotonic()
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="peak-setup-") as tmp:
        workdir = Path(tmp)
        for number in range(args.first, args.first + args.count):
            organization, owner = dealership(number)
            for index in range(share + (1 if number < extra else 0)):
                photo = number * 1000 + index
                add_post(
                    organization=organization,
                    owner=owner,
                    number=photo,
                    title=f"{PEAK_TITLE} {number:04d}-{index:03d}",
                    network=args.network,
                    size=size,
                    workdir=workdir,
                )
                made += 1
            if number == 0:
                now_post = add_post(
                    organization=organization,
                    owner=owner,
                    number=10**8,
                    title=NOW_TITLE,
                    network="facebook",
                    size=size,
                    workdir=workdir,
                )
                result["post_now_media_id"] = now_post.pk
                if args.reel:
                    result["reel_vehicle_id"] = reel_vehicle(organization, owner, workdir)
    result.update(posts=made, seconds=round(time.monotonic() - started, 1))
    return result


def schedule(args) -> dict:
    setup_django()
    from dealer_media.tenancy.models import Membership
    from media_content import going_out
    from media_content.models import MediaContent

    when = datetime.datetime.fromisoformat(args.when)
    started = time.monotonic()
    scheduled = 0
    slugs = [slug(number) for number in range(args.first, args.first + args.count)]
    owners = {
        m.organization_id: m
        for m in Membership.objects.filter(organization__slug__in=slugs).select_related(
            "organization", "user"
        )
    }
    drafts = MediaContent.objects.filter(
        organization__slug__in=slugs,
        status=MediaContent.Status.DRAFT,
        title__startswith=f"{PEAK_TITLE} ",
    ).order_by("pk")
    for media in drafts:
        going_out.post_schedule(
            by=owners[media.organization_id],
            media=media,
            when=when,
            base_url="https://portal.example",
        )
        scheduled += 1
    return {"scheduled": scheduled, "seconds": round(time.monotonic() - started, 1)}


def post_now(args) -> dict:
    """Ready (Django loaded, connected) before the peak; posts when told on stdin."""
    setup_django()
    from django.db import connection

    from dealer_media.tenancy.models import Membership
    from media_content import going_out
    from media_content.models import MediaContent

    media = MediaContent.objects.get(title=NOW_TITLE)
    owner = Membership.objects.select_related("organization", "user").get(
        organization=media.organization_id
    )
    connection.close()
    print("ready", flush=True)
    sys.stdin.readline()
    called = time.time()
    going_out.post_now(by=owner, media=media, base_url="https://portal.example")
    return {"media_id": media.pk, "called_at": called, "answered_in": time.time() - called}


def reel(args) -> dict:
    setup_django()
    from django.db import connection

    from inventory.models import Vehicle
    from inventory.reels import reel_request

    vehicle = Vehicle.objects.select_related("organization").get(organization__slug=slug(0))
    connection.close()
    print("ready", flush=True)
    sys.stdin.readline()
    called = time.time()
    made = reel_request(vehicle=vehicle)
    return {"reel_id": made.pk, "called_at": called}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["drafts", "schedule", "post-now", "reel"])
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--posts", type=int, default=0)
    parser.add_argument("--dealerships", type=int, default=1)
    parser.add_argument("--network", default="facebook")
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--reel", action="store_true")
    parser.add_argument("--when")
    args = parser.parse_args()
    action = {"drafts": drafts, "schedule": schedule, "post-now": post_now, "reel": reel}
    print(json.dumps(action[args.action](args)), flush=True)


if __name__ == "__main__":
    main()
