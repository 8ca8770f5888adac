"""Benchmark of the catalog feeds: a 1,000- and a 10,000-vehicle catalog, in process.

    python bench/catalog.py [--sizes 1000 10000] [--file meta.csv]

For each size: the Python heap's peak while the whole answer is read (tracemalloc,
so flat memory shows as the same peak for 1k and 10k), the time to the first
chunk of the body and the total time, the body's size; then the database queries
of a 304 (If-None-Match). SQLite in a temporary directory, or DATABASE_URL.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(tmp: Path) -> None:
    os.environ.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-not-a-secret",
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}"),
            "MEDIA_ROOT": str(tmp / "media"),
            "CACHE_URL": "locmemcache://dealer-media",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "dealer_media.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def stock(size: int):
    """A dealership with ``size`` listable vehicles."""
    from django.utils import timezone

    from dealer_media.tenancy.models import Organization
    from inventory.catalogs.tokens import feed_for
    from inventory.models import Vehicle

    organization, _ = Organization.objects.update_or_create(
        slug=f"bench-{size}",
        defaults={
            "name": f"Bench Motors {size}",
            "street_address": "1 Main St",
            "city": "Springfield",
            "region": "CA",
            "postal_code": "94045",
            "country": "US",  # Meta requires the vehicle's whole address
            "store_code": "BENCH",
        },
    )
    Vehicle.objects.for_org(organization).delete()
    now = timezone.now()
    Vehicle.objects.bulk_create(
        (
            Vehicle(
                organization=organization,
                vin=f"1HGCV1F3{i:09d}",
                vehicle_id=f"V{i}",
                stock_number=f"S{i}",
                make="Honda",
                model="Civic",
                year=2021,
                trim="EX",
                mileage_value=1000 + i,
                mileage_unit="MI",
                price=Decimal(20000 + i),
                state_of_vehicle="used",
                exterior_color="Blue",
                body_style="Sedan",
                url=f"https://www.example.com/cars/{i}",
                image_urls=[f"https://cdn.example.com/{i}/{n}.jpg" for n in range(8)],
                description=f"Car {i}, one owner, “EX” package, new tyres.",
                first_seen_at=now,
                updated_at=now,
            )
            for i in range(size)
        ),
        batch_size=1000,
    )
    return organization, feed_for(organization=organization).token


def measure(token: str, name: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    url = reverse("catalog_file", args=[token, name])
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    response = client.get(url)
    body = iter(response.streaming_content)
    first = next(body)
    first_at = time.perf_counter() - started
    size = len(first) + sum(len(chunk) for chunk in body)
    total = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with CaptureQueriesContext(connection) as queries:
        cached = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    return {
        "bytes": size,
        "first_byte_ms": first_at * 1000,
        "total_ms": total * 1000,
        "peak_mib": peak / 2**20,
        "status_304": cached.status_code,
        "queries_304": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--file", default="meta.csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(Path(tmp))
        print(
            f"{'vehicles':>9} {'bytes':>11} {'first byte':>11} {'total':>9} {'peak heap':>10} {'304 queries':>12}"
        )
        for size in args.sizes:
            _organization, token = stock(size)
            measure(token, args.file)  # warm: imports, the token's cache entry
            r = measure(token, args.file)
            print(
                f"{size:>9,} {r['bytes']:>11,} {r['first_byte_ms']:>9.1f}ms {r['total_ms']:>7.0f}ms "
                f"{r['peak_mib']:>8.2f}MiB {r['queries_304']:>8} ({r['status_304']})"
            )


if __name__ == "__main__":
    main()
