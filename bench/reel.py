"""A vehicle's Reel: the time and peak memory to build a 20 s Reel from 8 photos.

    python bench/reel.py [--photos 8] [--runs 3] [--width 1600 --height 1200]

Generates (once, cached under var/bench/reel/) photo-like JPEGs of the given size,
then builds the Reel ``--runs`` times, each in a fresh Python process (so each
peak is its own): ``reel_video.write_reel``, the whole composition and encoding
the worker's task runs before storing the file (the library step after it is an
upload's: see "Uploads"). Each run prints the wall time, the CPU time of Python
and of its ffmpeg children, and their peak resident memory (``ru_maxrss`` of
``RUSAGE_SELF`` and ``RUSAGE_CHILDREN``: the largest single child, i.e. the
encoder). A last run makes every frame without encoding, to split the time.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "var" / "bench" / "reel"


def make_photos(count: int, size: tuple[int, int]) -> list[str]:
    """Photo-like JPEGs (about 400 kB at 1600x1200): a gradient, a fractal, noise, a "car"."""
    from PIL import Image, ImageDraw

    CACHE.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = CACHE / f"{size[0]}x{size[1]}-{index}.jpg"
        if not path.exists():
            gradient = Image.linear_gradient("L").resize(size)
            fractal = Image.effect_mandelbrot(size, (-2.0 + index / 10, -1.2, 1.0, 1.2), 60)
            noise = Image.effect_noise(size, 25)
            image = Image.merge("RGB", (gradient, Image.blend(noise, fractal, 0.5), fractal))
            width, height = size
            ImageDraw.Draw(image).rectangle(
                (width // 5, height // 2, width * 4 // 5, height * 3 // 4), fill=(180, 20, 30)
            )
            image.save(path, "JPEG", quality=88)
        paths.append(str(path))
    return paths


def _text():
    from inventory.reel_video import ReelText

    return ReelText(
        heading="2021 Honda Accord",
        trim="EX-L",
        price="$23,500",
        dealership="Sunrise Motors",
        url="https://www.sunrisemotors.example/cars/2021-honda-accord-1HGCM826X3A000001",
    )


def one_run(photos: list[str], frames_only: bool) -> dict:
    """In the child: build once, report the figures as JSON."""
    from inventory import reel_video
    from library.processing import ffmpeg

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reel-bench-") as workdir:
        out = os.path.join(workdir, "reel.mp4")
        if frames_only:
            video, plan = reel_video.compose_reel(photos, _text())
            for index in range(plan.frames):
                video.get_frame(index / reel_video.FPS)
            size, info = 0, None
        else:
            plan = reel_video.write_reel(photos=photos, text=_text(), out_path=out)
            size, info = os.path.getsize(out), ffmpeg.probe(out)
    wall = time.perf_counter() - started
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": plan.seconds,
        "photos": plan.photo_count,
        "wall": wall,
        "cpu_python": me.ru_utime + me.ru_stime,
        "cpu_ffmpeg": children.ru_utime + children.ru_stime,
        "rss_python_mb": me.ru_maxrss / 1024,
        "rss_ffmpeg_mb": children.ru_maxrss / 1024,
        "bytes": size,
        "bit_rate": info.bit_rate if info else None,
        "size": f"{info.width}x{info.height}" if info else "",
        "codecs": f"{info.video_codec}+{info.audio_codec}" if info else "",
    }


def _child(photos: list[str], frames_only: bool) -> dict:
    command = [sys.executable, __file__, "--child", json.dumps(photos)]
    if frames_only:
        command.append("--frames-only")
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--frames-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(json.loads(args.child), args.frames_only)))
        return

    photos = make_photos(args.photos, (args.width, args.height))
    average_kb = sum(os.path.getsize(p) for p in photos) / len(photos) / 1024
    print(f"{len(photos)} photos of {args.width}x{args.height} (about {average_kb:.0f} kB each); "
          f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")  # fmt: skip
    runs = []
    for number in range(1, args.runs + 1):
        run = _child(photos, frames_only=False)
        runs.append(run)
        print(
            f"run {number}: {run['seconds']} s Reel ({run['size']}, {run['codecs']}, "
            f"{run['bytes'] / 1024**2:.1f} MB, {run['bit_rate'] / 1000:.0f} kb/s) in "
            f"{run['wall']:.1f} s wall; CPU {run['cpu_python']:.1f} s Python + "
            f"{run['cpu_ffmpeg']:.1f} s ffmpeg; peak RSS {run['rss_python_mb']:.0f} MB Python, "
            f"{run['rss_ffmpeg_mb']:.0f} MB ffmpeg"
        )
    walls = [r["wall"] for r in runs]
    print(
        f"median {statistics.median(walls):.1f} s wall (best {min(walls):.1f} s), "
        f"{statistics.median(walls) / runs[0]['seconds']:.2f} s per second of Reel; "
        f"peak RSS at most {max(r['rss_python_mb'] for r in runs):.0f} MB Python + "
        f"{max(r['rss_ffmpeg_mb'] for r in runs):.0f} MB ffmpeg"
    )
    frames = _child(photos, frames_only=True)
    print(
        f"frames alone (no encoding): {frames['wall']:.1f} s wall, "
        f"{frames['wall'] / (frames['seconds'] * 30) * 1000:.1f} ms a frame, "
        f"peak RSS {frames['rss_python_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
