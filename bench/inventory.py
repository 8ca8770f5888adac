"""Inventory import speed and memory: a feed of 10,000 vehicles, then the same feed again.

Run: python bench/inventory.py [--vehicles 10000] [--format csv|xml]. Uses a throw-away
SQLite database under a temporary directory unless DATABASE_URL is set (e.g. your own
scratch PostgreSQL database). The feed is written once, then served over HTTP on
127.0.0.1 and imported through the real path (fetching.py, parsing, upsert), photos
not downloaded. Prints:

1. the first import (every vehicle added) and a re-import of the unchanged feed
   (nothing changed), in seconds: targets at most 30 s and 10 s for 10,000;
2. one more import with 1 % of prices dropped and 1 % of vehicles gone;
3. the import's peak Python memory (tracemalloc, a separate run) for feeds of
   a tenth of the size and the full size: flat means about the same figure;
4. with --photos N (default 200; 0 skips): photo fetching throughput, N distinct
   JPEGs (1600x1200, about 470 kB) served on 127.0.0.1, 10 per vehicle, fetched
   through photos.fetch_photos (download, content check, sha256, stored into the
   library; processing messages go to an in-memory broker, not run), then the same
   photos under new URLs (all deduplicated by sha256).
"""

import argparse
import csv
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="inventory-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.update(
    DJANGO_SETTINGS_MODULE="dealer_media.settings",
    SECRET_KEY="bench-only",  # noqa: S106 - a throw-away bench database
    DEBUG="false",
    ALLOWED_HOSTS="*",
    MEDIA_ROOT=f"{TMP}/media",
    LOG_LEVEL="ERROR",
    FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
    INVENTORY_FETCH_PHOTOS="false",
    INVENTORY_FEED_MAX_BYTES=str(500 * 1024**2),
    CELERY_BROKER_URL="memory://",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from dealer_media.tenancy.models import Organization  # noqa: E402
from inventory import importing, sources  # noqa: E402
from inventory.models import Vehicle  # noqa: E402
from inventory.vins import check_digit  # noqa: E402

MAKES = [("Honda", "Accord"), ("Toyota", "Camry"), ("Ford", "F-150"), ("Chevrolet", "Tahoe")]


def vin(serial: int) -> str:
    draft = f"1FT{serial:05d}X{serial % 10}A{serial:06d}"[:17]
    return draft[:8] + check_digit(draft) + draft[9:]


def write_feed(path: Path, count: int, *, kind: str, drop_every: int = 0, gone_every: int = 0):
    columns = ["vehicle_id", "vin", "make", "model", "year", "trim", "mileage.value",
               "mileage.unit", "price", "state_of_vehicle", "exterior_color", "body_style",
               "url", "image[0].url", "image[1].url", "image[2].url", "description",
               "availability", "stock_number"]  # fmt: skip

    def rows():
        for i in range(count):
            if gone_every and i % gone_every == 1:
                continue
            make, model = MAKES[i % len(MAKES)]
            price = 20000 + (i % 300) * 100 - (500 if drop_every and i % drop_every == 0 else 0)
            yield [f"V{i}", vin(i), make, model, str(2015 + i % 10), "XLT", str(i * 7 % 150000),
                   "MI", f"{price} USD", ["new", "used", "cpo"][i % 3], "Blue", "Truck",
                   f"https://dealer.example/cars/{i}",
                   *[f"https://cdn.dealer.example/{i}/{n}.jpg" for n in range(3)],
                   f"A well kept {make} {model}, one owner, full service history.",
                   "available", f"S{i:06d}"]  # fmt: skip

    with open(path, "w", newline="") as out:
        if kind == "csv":
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows(rows())
            return
        out.write("<?xml version='1.0' encoding='UTF-8'?>\n<listings>\n")
        for row in rows():
            fields = dict(zip(columns, row, strict=True))
            out.write("<listing>")
            for key, value in fields.items():
                if key.startswith("image["):
                    out.write(f"<image><url>{value}</url></image>")
                elif not key.startswith("mileage."):
                    out.write(f"<{key}>{value}</{key}>")
            out.write(f"<mileage><value>{fields['mileage.value']}</value><unit>MI</unit></mileage>")
            out.write("</listing>\n")
        out.write("</listings>\n")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(directory: Path) -> ThreadingHTTPServer:
    handler = partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timed_import(source) -> tuple[float, object]:
    start = time.perf_counter()
    run = importing.import_source(source=source)
    return time.perf_counter() - start, run


def peak_memory(source, organization) -> float:
    Vehicle.objects.for_org(organization).delete()
    tracemalloc.start()
    importing.import_source(source=source)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--format", choices=["csv", "xml"], default="csv")
    parser.add_argument("--photos", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(
        slug="bench-motors", defaults={"name": "Bench Motors", "timezone": "America/Chicago"}
    )
    feeds = Path(TMP) / "feeds"
    feeds.mkdir()
    name = f"feed.{args.format}"
    write_feed(feeds / name, args.vehicles, kind=args.format)
    size = (feeds / name).stat().st_size
    server = serve(feeds)
    url = f"http://127.0.0.1:{server.server_port}/{name}"
    source = sources.source_save(organization=organization, feed_url=url)
    print(f"{args.vehicles:,} vehicles, {args.format.upper()} feed of {size / 1024**2:.1f} MB, "
          f"database {os.environ['DATABASE_URL'].split(':')[0]}")  # fmt: skip

    seconds, run = timed_import(source)
    print(f"first import:  {seconds:6.2f} s  added {run.added:,}, refused {run.refused}")
    seconds, run = timed_import(source)
    print(
        f"re-import:     {seconds:6.2f} s  added {run.added}, changed {run.changed}, sold {run.sold}"
    )
    write_feed(feeds / name, args.vehicles, kind=args.format, drop_every=100, gone_every=100)
    seconds, run = timed_import(source)
    print(
        f"1 % dropped, 1 % gone: {seconds:6.2f} s  price drops {run.price_dropped}, sold {run.sold}"
    )

    small = max(args.vehicles // 10, 1)
    write_feed(feeds / name, small, kind=args.format)
    small_peak = peak_memory(source, organization)
    write_feed(feeds / name, args.vehicles, kind=args.format)
    full_peak = peak_memory(source, organization)
    print(f"peak Python memory of an import: {small:,} vehicles {small_peak:.1f} MB, "
          f"{args.vehicles:,} vehicles {full_peak:.1f} MB")  # fmt: skip
    if args.photos:
        photo_throughput(organization, feeds, server, args.photos)
    server.shutdown()


def photo_throughput(organization, feeds: Path, server, count: int) -> None:
    import io

    from PIL import Image

    from inventory.photos import fetch_photos
    from library.models import MediaFile

    photos_dir = feeds / "photos"
    photos_dir.mkdir()
    gradient = Image.linear_gradient("L").resize((1600, 1200))
    total = 0
    for n in range(count):
        noise = Image.effect_noise((1600, 1200), 10 + n % 20)
        out = io.BytesIO()
        Image.merge("RGB", (gradient, noise, gradient)).save(out, "JPEG", quality=80)
        (photos_dir / f"{n}.jpg").write_bytes(out.getvalue())
        total += out.tell()
    base = f"http://127.0.0.1:{server.server_port}/photos"
    vehicles = list(Vehicle.objects.for_org(organization).order_by("pk")[: (count + 9) // 10])

    def run(query: str) -> tuple[float, dict]:
        counts = {"fetched": 0, "shared": 0, "failed": 0}
        start = time.perf_counter()
        for index, vehicle in enumerate(vehicles):
            urls = [
                f"{base}/{n}.jpg{query}" for n in range(index * 10, min(index * 10 + 10, count))
            ]
            Vehicle.objects.filter(pk=vehicle.pk).update(image_urls=urls)
            vehicle.image_urls = urls
            for key, value in fetch_photos(vehicle=vehicle).items():
                counts[key] += value
        return time.perf_counter() - start, counts

    seconds, counts = run("")
    print(f"photos: {count} ({total / 1024**2:.1f} MB) in {seconds:.2f} s, "
          f"{count / seconds:.1f} photos/s, {total / 1024**2 / seconds:.1f} MB/s, {counts}")  # fmt: skip
    seconds, counts = run("?again")
    print(f"photos again under new URLs: {seconds:.2f} s, {count / seconds:.1f} photos/s, "
          f"{counts}, library files {MediaFile.objects.for_org(organization).count()}")  # fmt: skip


if __name__ == "__main__":
    main()
