"""The Reel: made by the worker from real photos, read back with the bundled ffmpeg."""

import re
import subprocess

import pytest

from inventory import reel_video, reels
from inventory.models import VehicleReel
from library.processing import ffmpeg
from library.processing.metadata import video_metadata
from library.processing.storage import local_path
from media_content.models import MediaContent

from .reel_photos import vehicle_with_photos

pytestmark = pytest.mark.django_db
COPY_TO_NOWHERE = ["-map", "0:v:0", "-c", "copy", "-f", "null", "-"]


def frame_count(path: str) -> int:
    """The video stream's frames as ffmpeg counts them, copied to nowhere (no decoding)."""
    completed = subprocess.run(
        [ffmpeg.ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", path, *COPY_TO_NOWHERE],
        capture_output=True,
        check=True,
    )
    return int(re.findall(r"frame=\s*(\d+)", completed.stderr.decode())[-1])


def stream_summary(path: str) -> str:
    completed = subprocess.run(
        [ffmpeg.ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", path],
        capture_output=True,
        check=False,
    )
    return completed.stderr.decode()


def test_the_reel_is_made_in_the_worker_and_read_back(
    sunrise, sunrise_client, django_capture_on_commit_callbacks
):
    """One real Reel (the shortest: 3 photos make 15 s), checked every way."""
    vehicle, photos = vehicle_with_photos(sunrise, 3)
    plan = reel_video.plan_reel(len(photos))
    assert plan.seconds == reel_video.MIN_SECONDS  # 4 s of cards + 3 x 2 s, held to 15 s

    with django_capture_on_commit_callbacks(execute=True):
        response = sunrise_client.post(f"/marketing/inventory/{vehicle.pk}/reel")
    assert response.status_code == 302

    reel = VehicleReel.objects.get(vehicle=vehicle)
    assert (reel.status, reel.error) == (VehicleReel.Status.DONE, "")
    assert reel.photo_ids == [p.lead_file.pk for p in photos] and reel.seconds == plan.seconds
    media = reel.media_content
    assert media.organization_id == sunrise.pk and media.vehicle_reels.get() == reel
    # In the library as a processed video, stored under the detected format.
    file = media.lead_file
    assert (media.media_type, file.content_type) == ("video", "video/mp4")
    assert file.file.name.endswith(".mp4")
    assert file.original_filename == f"{vehicle.year}-honda-accord-reel.mp4"
    assert file.processing_status == MediaContent.ProcessingStatus.READY
    assert file.thumbnail and not file.thumbnail_is_placeholder
    assert (file.width, file.height, file.video_codec, file.audio_codec) == (
        1080,
        1920,
        "h264",
        "aac",
    )
    assert media.facebook_video_format == MediaContent.FacebookVideoFormat.REEL
    assert media.link_url == vehicle.url and media.title.endswith("– Reel")

    with local_path(file.file) as path:
        info = video_metadata(path)
        frames = frame_count(path)
        summary = stream_summary(path)
        with open(path, "rb") as file:
            head = file.read(256 * 1024)
    assert reel_video.MIN_SECONDS <= info.duration <= reel_video.MAX_SECONDS
    assert info.duration == pytest.approx(plan.seconds, abs=0.1)  # AAC priming adds a little
    assert (info.width, info.height, info.frame_rate) == (1080, 1920, reel_video.FPS)
    assert (info.video_codec, info.audio_codec, info.container.split(",")[0]) == (
        "h264",
        "aac",
        "mov",
    )
    assert frames == plan.frames == plan.seconds * reel_video.FPS
    assert "yuv420p" in summary and "(High)" in summary
    assert info.bit_rate < 8_500_000  # the encoder's cap, far under Meta's limits
    assert 0 <= head.find(b"moov") < head.find(b"mdat")  # +faststart: the index comes first

    page = sunrise_client.get("/marketing/inventory").content.decode()
    assert f'href="{media.media_url}"' in page
    assert f'href="/marketing/media/{media.pk}/approval"' in page
    assert f"Reel ({plan.seconds} s)" in page


def test_a_photo_that_cannot_be_read_fails_the_reel_in_words(sunrise):
    vehicle, photos = vehicle_with_photos(sunrise, 2)
    stored = photos[0].lead_file.file
    stored.storage.delete(stored.name)  # gone from storage meanwhile
    reel = reels.reel_request(vehicle=vehicle)
    done = reels.reel_build(reel_id=reel.pk)
    assert done.status == VehicleReel.Status.FAILED
    assert done.error.startswith("This file is not an image we can read")
    assert done.media_content is None and done.finished_at is not None
    assert not MediaContent.objects.filter(post_files__file__media_type="video").exists()
    assert reels.reel_build(reel_id=reel.pk) is None  # a second delivery does nothing
