"""Benchmark of the website banners: carousel render time and a demo homepage under load.

    python bench/banners.py [--seconds 6] [--rounds 3] [--concurrency 8] [--workers 2]
                            [--cache locmem|file | --redis URL]

1. Renders ``{% banner_carousel org %}`` for a dealership with 50 active banners,
   uncached (the cache emptied before each render) and cached, and prints the
   median and 95th percentile in milliseconds.
2. Serves the project with gunicorn on 127.0.0.1 (a free port) and drives the
   dealer's homepage (``/`` on the dealer's host name, and ``/site/<slug>/``) with
   a small threaded load generator for a fixed time; prints requests per second.

Everything runs on loopback against a throwaway SQLite database and media folder
in a temporary directory (or DATABASE_URL if you set it). With --redis the
cache is Redis (use your own db number); ``--cache file`` is the embedded default's
file cache (in the temporary directory); else local memory per process.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST_NAME = "bench.localhost"
SLUG = "bench-motors"


def configure(tmp: Path, redis_url: str | None, cache: str = "locmem") -> dict[str, str]:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": f"127.0.0.1,localhost,{HOST_NAME}",
        "SECURE_SSL_REDIRECT": "false",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}"),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "dealer_media.settings",
    }
    if redis_url:
        env["REDIS_CACHE_URL"] = redis_url
    elif cache == "file":
        env["CACHE_URL"] = f"filecache://{tmp / 'cache'}"
    else:
        env["CACHE_URL"] = "locmemcache://dealer-media"
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def seed(count: int = 50):
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from PIL import Image

    from banners.models import Banner
    from dealer_media.tenancy.models import Organization

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "Bench Motors",
            "timezone": "America/Los_Angeles",
            "site_host_names": [HOST_NAME],
        },
    )
    Banner.objects.for_org(organization).delete()
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 400), "navy").save(buffer, "JPEG")
    picture = buffer.getvalue()
    for n in range(count):
        banner = Banner(
            organization=organization,
            title=f"Offer {n} & more <b>",
            link_url=f"/offers/{n}?a=1&b=2",
        )
        banner.image.save("bench.jpg", ContentFile(picture), save=False)
        banner.save()
    return organization


def time_renders(organization, runs_uncached: int, runs_cached: int) -> dict[str, list[float]]:
    from django.core.cache import cache
    from django.template import Context, Template

    template = Template("{% load banners %}{% banner_carousel org %}")
    html = template.render(Context({"org": organization}))
    assert html.count("banner-carousel__slide") == 50, "expected 50 slides"
    uncached, cached = [], []
    for _ in range(runs_uncached):
        cache.clear()
        start = time.perf_counter()
        template.render(Context({"org": organization}))
        uncached.append((time.perf_counter() - start) * 1000)
    template.render(Context({"org": organization}))
    for _ in range(runs_cached):
        start = time.perf_counter()
        template.render(Context({"org": organization}))
        cached.append((time.perf_counter() - start) * 1000)
    return {"uncached": uncached, "cached": cached}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, host_header: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/", headers={"Host": host_header})
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def load(port: int, path: str, host_header: str, seconds: float, concurrency: int) -> dict:
    """Each thread sends requests one after another for ``seconds``; loopback only."""
    stop = time.monotonic() + seconds
    counts = {"ok": 0, "bad": 0}
    latencies: list[float] = []
    lock = threading.Lock()

    def worker():
        ok = bad = 0
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", path, headers={"Host": host_header})
                response = connection.getresponse()
                body = response.read()
                connection.close()
                if response.status == 200 and b"data-banner-carousel" in body:
                    ok += 1
                else:
                    bad += 1
            except OSError:
                bad += 1
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            counts["ok"] += ok
            counts["bad"] += bad
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "rps": counts["ok"] / elapsed,
        "ok": counts["ok"],
        "bad": counts["bad"],
        "p50": latencies[len(latencies) // 2] if latencies else 0.0,
        "p95": latencies[int(len(latencies) * 0.95)] if latencies else 0.0,
    }


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95)]
    return f"median {statistics.median(values):.3f} ms, p95 {p95:.3f} ms ({len(values)} renders)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default=None, help="e.g. redis://127.0.0.1:6379/4")
    parser.add_argument("--cache", choices=["locmem", "file"], default="locmem")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 60.0)  # bounded
    args.concurrency = min(args.concurrency, 32)
    args.rounds = max(1, min(args.rounds, 5))

    with tempfile.TemporaryDirectory(prefix="bench-banners-") as tmp_name:
        env = configure(Path(tmp_name), args.redis, args.cache)
        organization = seed()

        cache_name = args.redis or {"locmem": "local memory", "file": "files"}[args.cache]
        print(f"cache: {cache_name}; CPU cores: {os.cpu_count()}")
        timings = time_renders(organization, runs_uncached=200, runs_cached=2000)
        print(f"carousel, 50 banners, uncached: {summary(timings['uncached'])}")
        print(f"carousel, 50 banners, cached:   {summary(timings['cached'])}")

        port = free_port()
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "dealer_media.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env, "PYTHONWARNINGS": "ignore::UserWarning"},
        )
        try:
            wait_for(port, HOST_NAME)
            for label, path, host in [
                (f"homepage on its host name (http://{HOST_NAME}/)", "/", HOST_NAME),
                (f"homepage by slug (/site/{SLUG}/)", f"/site/{SLUG}/", "127.0.0.1"),
            ]:
                load(port, path, host, 2.0, args.concurrency)  # warm every worker's cache
                rounds = [
                    load(port, path, host, args.seconds, args.concurrency)
                    for _ in range(args.rounds)
                ]
                best = max(rounds, key=lambda r: r["rps"])
                each = ", ".join(f"{r['rps']:.0f}" for r in rounds)
                print(
                    f"{label}: median {statistics.median(r['rps'] for r in rounds):.0f} "
                    f"requests/s (rounds: {each}; gunicorn {args.workers} sync workers, "
                    f"{args.concurrency} client threads, {args.seconds:.0f} s each; best round "
                    f"latency p50 {best['p50']:.1f} ms, p95 {best['p95']:.1f} ms; "
                    f"failed {sum(r['bad'] for r in rounds)})"
                )
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=20)


if __name__ == "__main__":
    main()
