"""Thumbnail speed: our code against the bare tools, in one process, after a warm-up.

    python bench/thumbnails.py [--runs 7]

Generates (once, cached under var/bench/) a 1920x1080, 60 s H.264 file with a
keyframe every 8.3 s and a 4000x3000 JPEG, then prints medians of several runs:

- video: our thumbnail step (``video_thumbnail_and_metadata``: one ffmpeg run
  that also yields the metadata) and the whole ``process_media`` work on the
  item, against a bare ``ffmpeg -ss 1 -i FILE -frames:v 1`` of the same binary
  (target: at most 1.3 times);
- image: our thumbnail against a naive Pillow open-resize-save (target: at
  least 3 times faster) and against ``pyvips.Image.thumbnail`` (target:
  within 1.1 times); also our thumbnail plus display rendition as the task
  makes them.
"""

import argparse
import io
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from library.processing import thumbnails  # noqa: E402
from library.processing.ffmpeg import ffmpeg_exe  # noqa: E402

CACHE = ROOT / "var" / "bench"
logging.getLogger("pyvips").setLevel(logging.WARNING)


def _median(fn, runs: int) -> float:
    fn()  # warm-up: imports, page cache, fonts
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_video() -> Path:
    path = CACHE / "1080p-60s.mp4"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=60",
                "-c:v", "libx264", "-preset", "veryfast", "-g", "250", "-pix_fmt", "yuv420p",
                str(path),
            ],
            check=True,
        )  # fmt: skip
    return path


def make_jpeg() -> Path:
    path = CACHE / "12mp.jpg"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        # Photo-like entropy: about 4 MB at quality 90, like a 12 MP phone photo. (Pure
        # noise would make 7+ MB files whose Huffman decoding dominates every method.)
        gradient = Image.linear_gradient("L").resize((4000, 3000))
        noise = Image.effect_noise((4000, 3000), 25)
        fractal = Image.effect_mandelbrot((4000, 3000), (-2.0, -1.2, 1.0, 1.2), 60)
        Image.merge("RGB", (gradient, Image.blend(noise, fractal, 0.5), fractal)).save(
            path, "JPEG", quality=90
        )
    return path


def bench_video(runs: int) -> dict[str, float]:
    path = str(make_video())
    out = Path(tempfile.mkdtemp()) / "frame.jpg"

    def bare():
        subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
             "-ss", "1", "-i", path, "-frames:v", "1", str(out)],
            check=True,
        )  # fmt: skip

    def ours():
        thumbnails.video_thumbnail_and_metadata(path, title="Bench")

    return {"bare": _median(bare, runs), "ours": _median(ours, runs)}


def bench_task(runs: int) -> float:
    """The whole processing of a video item (read, metadata, thumbnail, rows) in the test DB."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp()
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from dealer_media.tenancy.models import Organization
    from library.models import MediaFile
    from library.processing.services import media_process
    from media_content.services import file_create

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        org = Organization.objects.create(name="Bench", slug="bench")
        # A library file as an upload makes it (checked and stored), not yet processed.
        media = file_create(
            organization=org,
            created_by=None,
            path=str(make_video()),
            original_filename="bench.mp4",
            title="Bench",
            process=False,
        )

        def process():
            # Each run processes the file anew: a processed file is not claimed again.
            MediaFile.objects.filter(pk=media.pk).update(
                processing_status=MediaFile.ProcessingStatus.PENDING, processing_attempts=0
            )
            if media_process(media_id=media.pk) is None:
                raise RuntimeError("media_process did not process the file")

        return _median(process, runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def bench_image(runs: int) -> dict[str, float]:
    import pyvips

    path = str(make_jpeg())

    def naive():
        for size in ((1280, 960), (400, 300)):
            image = Image.open(path)
            image = image.resize(size)
            image.save(io.BytesIO(), "JPEG")

    def ours():
        thumbnails.image_renditions(path)

    def vips():
        for width, height in ((1280, 1280), (400, 300)):
            pyvips.Image.thumbnail(path, width, height=height).write_to_buffer(".jpg")

    return {
        "naive": _median(naive, runs),
        "ours": _median(ours, runs),
        "pyvips": _median(vips, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-task", action="store_true", help="skip the database-backed run")
    runs = parser.parse_args().runs
    args = parser.parse_args()
    print(f"Medians of {runs} runs after a warm-up, on {os.cpu_count()} cores (shared machine).")
    video = bench_video(runs)
    print("Video thumbnail, 1920x1080 60 s H.264, frame at 1 s to 400x300 JPEG:")
    print(f"  bare ffmpeg -ss 1 -i FILE -frames:v 1        {video['bare'] * 1000:7.0f} ms")
    print(
        f"  ours (frame + metadata, one ffmpeg run)     {video['ours'] * 1000:7.0f} ms"
        f"  = {video['ours'] / video['bare']:.2f}x bare (target <= 1.3x)"
    )
    if not args.no_task:
        task = bench_task(runs)
        print(
            f"  whole processing of the item (DB, storage)  {task * 1000:7.0f} ms"
            f"  = {task / video['bare']:.2f}x bare"
        )
    image = bench_image(runs)
    print("Image thumbnail and display copy, 4000x3000 JPEG to 400x300 and 1280 JPEGs:")
    print(f"  naive Pillow open-resize-save               {image['naive'] * 1000:7.1f} ms")
    print(f"  pyvips.Image.thumbnail                      {image['pyvips'] * 1000:7.1f} ms")
    print(
        f"  ours: thumbnail + 1280 display, one decode   {image['ours'] * 1000:7.1f} ms"
        f"  = {image['naive'] / image['ours']:.1f}x faster than naive (target >= 3x),"
        f" {image['ours'] / image['pyvips']:.2f}x pyvips (target <= 1.1x)"
    )


if __name__ == "__main__":
    main()
