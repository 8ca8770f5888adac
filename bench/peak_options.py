"""The options of ``bench/peak.py``; what each means: docs/performance.md, "Publishing at peak"."""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Publishing at peak (bench/peak.py).")
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--dealerships", type=int, default=300)
    parser.add_argument("--delay-ms", type=float, default=500)
    parser.add_argument("--network", choices=["facebook", "instagram"], default="facebook")
    parser.add_argument("--post-now", action="store_true", help="a post now during the peak")
    parser.add_argument("--post-now-after", type=float, default=3.0)
    parser.add_argument("--reel", action="store_true", help="a Reel render from the due instant")
    parser.add_argument("--formation", action="append", default=[], metavar="LINE=N")
    parser.add_argument(
        "--lead", type=float, help="seconds from scheduling to T (default: 30 + 30 ms a post)"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds after T")
    parser.add_argument("--setup-jobs", type=int, default=2)
    parser.add_argument("--size", default="640x480", help="the photos' size")
    parser.add_argument("--no-fetch", action="store_true", help="the fake does not download")
    parser.add_argument("--procfile", default=str(ROOT / "Procfile.production"))
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/dm_peak")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    return parser.parse_args()
