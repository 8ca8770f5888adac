"""Benchmark of the website embed: sizes, queries, cached requests/s and a burst of beacons.

    python bench/embed.py [--seconds 5] [--rounds 3] [--concurrency 8] [--workers 2]
                          [--banners 10] [--beacons 10000] [--redis URL]

1. The script's size (its code alone, and the whole answer with the banners' data),
   raw and gzipped, and the JSON feed's.
2. Database queries of a cached answer and of a 304 (Django's test client, in process).
3. gunicorn on a free loopback port: requests/s of banners.json and carousel.js when
   cached (200, and 304 with If-None-Match), against the dealer's homepage with the
   cached template-tag carousel (``/`` on its host name), same machine, same load.
4. A burst of ``--beacons`` impression beacons (each its own page view) to
   /embed/<key>/events, then the flush: every one must be in the database.
   With --redis (your own db number) counts go to Redis and are flushed; without,
   each beacon is an upsert in SQLite.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_banners", ROOT / "bench" / "banners.py")
bench_banners = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_banners)
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"


def request_loop(port, make_request, seconds, concurrency, expect_status):
    """Each thread sends requests one after another (new connection each) for ``seconds``."""
    stop = time.monotonic() + seconds
    totals = {"ok": 0, "bad": 0}
    lock = threading.Lock()

    def worker(n):
        ok = bad = i = 0
        while time.monotonic() < stop:
            method, path, headers, body = make_request(n, i)
            i += 1
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                ok, bad = (ok + 1, bad) if response.status == expect_status else (ok, bad + 1)
            except OSError:
                bad += 1
        with lock:
            totals["ok"] += ok
            totals["bad"] += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**totals, "rps": totals["ok"] / (time.monotonic() - began)}


def sizes(key: str) -> None:
    from django.test import Client

    from banners import embed

    source = "\n".join(embed.static_text(path) for path in embed.SCRIPT_PARTS)
    code = embed.compact(source).encode()
    css = embed.compact("\n".join(embed.static_text(path) for path in embed.STYLE_PARTS)).encode()
    print(f"script source with comments: {len(source)} bytes")
    client = Client(HTTP_HOST="127.0.0.1")
    script = client.get(f"/embed/{key}/carousel.js").content
    feed = client.get(f"/embed/{key}/banners.json").content
    frame = client.get(f"/embed/{key}/carousel.html").content
    for label, data in [
        ("script code as served (carousel-core.js + embed-count.js + embed.js)", code),
        ("its styles (carousel.css + embed.css)", css),
        ("carousel.js answer, with the banners' data and styles", script),
        ("banners.json answer", feed),
        ("carousel.html answer (its scripts and CSS are static files)", frame),
    ]:
        print(f"{label}: {len(data)} bytes, {len(gzip.compress(data, 9))} gzipped")


def queries(key: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for name in ("banners.json", "carousel.js", "carousel.html"):
        etag = client.get(f"/embed/{key}/{name}")["ETag"]  # warm
        with CaptureQueriesContext(connection) as cached:
            client.get(f"/embed/{key}/{name}")
        with CaptureQueriesContext(connection) as not_modified:
            status = client.get(f"/embed/{key}/{name}", HTTP_IF_NONE_MATCH=etag).status_code
        print(
            f"{name}: {len(cached)} queries cached, {len(not_modified)} for the {status} "
            "with If-None-Match"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--banners", type=int, default=10)
    parser.add_argument("--beacons", type=int, default=10_000)
    parser.add_argument("--redis", default=None, help="e.g. redis://127.0.0.1:6379/4")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 60.0)
    args.concurrency = min(args.concurrency, 32)
    args.rounds = max(1, min(args.rounds, 5))
    args.beacons = min(args.beacons, 100_000)

    with tempfile.TemporaryDirectory(prefix="bench-embed-") as tmp_name:
        env = bench_banners.configure(Path(tmp_name), args.redis, "file")
        if args.redis:
            env["BANNERS_COUNTER_REDIS_URL"] = os.environ["BANNERS_COUNTER_REDIS_URL"] = args.redis
            from django.conf import settings

            settings.BANNERS_COUNTER_REDIS_URL = args.redis
        organization = bench_banners.seed(args.banners)
        from banners import counting, embed_keys
        from banners.figures import totals
        from banners.selectors import active_banners

        key = embed_keys.embed_key_for(organization=organization).public_key
        print(f"{args.banners} banners; cache: {args.redis or 'files'}; cores: {os.cpu_count()}")
        sizes(key)
        queries(key)

        port = bench_banners.free_port()
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
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env={**os.environ, **env, "PYTHONWARNINGS": "ignore::UserWarning"},
        )
        try:
            bench_banners.wait_for(port, bench_banners.HOST_NAME)
            local = {"Host": "127.0.0.1"}
            etags = {}
            for name in ("banners.json", "carousel.js"):
                connection = http.client.HTTPConnection("127.0.0.1", port)
                connection.request("GET", f"/embed/{key}/{name}", headers=local)
                response = connection.getresponse()
                response.read()
                etags[name] = response.getheader("ETag")
            home = {"Host": bench_banners.HOST_NAME}
            cases = [
                ("homepage with the cached {% banner_carousel %} (/)", "/", home, 200),
                ("banners.json, cached", f"/embed/{key}/banners.json", local, 200),
                ("carousel.js, cached", f"/embed/{key}/carousel.js", local, 200),
                (
                    "carousel.js, If-None-Match: 304",
                    f"/embed/{key}/carousel.js",
                    {**local, "If-None-Match": etags["carousel.js"]},
                    304,
                ),
            ]
            for label, path, headers, status in cases:

                def make(n, i, path=path, headers=headers):
                    return "GET", path, headers, None

                request_loop(port, make, 1.5, args.concurrency, status)  # warm every worker
                rounds = [
                    request_loop(port, make, args.seconds, args.concurrency, status)
                    for _ in range(args.rounds)
                ]
                each = ", ".join(f"{r['rps']:.0f}" for r in rounds)
                print(
                    f"{label}: median {statistics.median(r['rps'] for r in rounds):.0f} "
                    f"requests/s (rounds {each}; failed {sum(r['bad'] for r in rounds)})"
                )

            banner_ids = [slide.id for slide in active_banners(organization=organization)]
            per_thread = args.beacons // args.concurrency

            def beacon(n, i):
                # Page views unique to this run: a page view counts once for an hour.
                body = json.dumps({"pv": f"{run}-{n:02d}-{i:07d}", "impressions": banner_ids[:1]})
                headers = {**local, "Content-Type": "text/plain;charset=UTF-8", "User-Agent": UA}
                return "POST", f"/embed/{key}/events", headers, body

            run = uuid.uuid4().hex[:12]
            began = time.monotonic()
            threads = []
            results = []

            def burst(n):
                ok = 0
                for i in range(per_thread):
                    method, path, headers, body = beacon(n, i)
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    connection.close()
                    ok += response.status == 204
                results.append(ok)

            for n in range(args.concurrency):
                threads.append(threading.Thread(target=burst, args=(n,)))
                threads[-1].start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
            accepted = sum(results)
            in_db_before = totals(organization=organization)["impressions"]
            flush_began = time.monotonic()
            flushed = counting.flush_counts()
            flush_ms = (time.monotonic() - flush_began) * 1000
            in_db = totals(organization=organization)["impressions"]
            print(
                f"beacons: {accepted} of {per_thread * args.concurrency} answered 204 in "
                f"{elapsed:.1f} s ({accepted / elapsed:.0f}/s); in the database before the "
                f"flush {in_db_before}; flush moved {flushed} in {flush_ms:.0f} ms; "
                f"in the database after {in_db}; lost {accepted - in_db}"
            )
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=20)


if __name__ == "__main__":
    main()
