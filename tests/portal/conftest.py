"""Fixtures of the portal's tests: media items with posts in known states."""

import datetime
import subprocess

import imageio_ffmpeg
import pytest
from django.utils import timezone

from media_content.models import Destination, MediaContent, ScheduledPost
from tests.factories import BannerFactory, MediaContentFactory, ScheduledPostFactory


@pytest.fixture
def sunrise_item(sunrise):
    return MediaContentFactory(
        organization=sunrise,
        title="Truck month",
        description="Every F-150 at invoice.",
        link_url="https://sunrise.example/trucks",
        post_to_facebook=True,
        post_to_banner=True,
        status=MediaContent.Status.SCHEDULED,
        scheduled_post_time=timezone.now() + datetime.timedelta(days=1),
    )


@pytest.fixture
def lakeside_item(lakeside):
    return MediaContentFactory(organization=lakeside, title="Lakeside lease deal")


@pytest.fixture
def failed_post(sunrise_item):
    return ScheduledPostFactory(
        media_content=sunrise_item,
        destination=Destination.FACEBOOK,
        status=ScheduledPost.Status.FAILED,
        last_error="Facebook refused the token: reconnect the page.",
    )


@pytest.fixture
def sunrise_banners(sunrise):
    return [BannerFactory(organization=sunrise, title=f"Banner {n}") for n in range(3)]


@pytest.fixture
def lakeside_banner(lakeside):
    return BannerFactory(organization=lakeside, title="Lakeside banner")


@pytest.fixture
def big_video(tmp_path):
    """A real ~40 MB MP4 (the server checks content): 6 s of noise, which barely compresses."""
    video = tmp_path / "showroom.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=gray:s=640x360:r=25,noise=alls=100:allf=t+u",
            "-t",
            "6",
            "-c:v",
            "mpeg4",
            "-q:v",
            "1",
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
        timeout=60,
    )
    assert video.stat().st_size > 35_000_000
    return video
