"""The one interface to ffmpeg: probing a file and grabbing a frame.

Only the ffmpeg binary ships with imageio-ffmpeg (no ffprobe), so probing
parses the stream summary that ``ffmpeg -i FILE`` prints on stderr.
"""

import functools
import re
import subprocess
from dataclasses import dataclass

FRAME_TIMEOUT_SECONDS = 30
PROBE_TIMEOUT_SECONDS = 30


class FFmpegError(Exception):
    """ffmpeg could not read the file, or gave up; ``message`` says why in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@functools.cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class VideoInfo:
    container: str = ""
    duration: float | None = None
    bit_rate: int | None = None
    width: int | None = None
    height: int | None = None
    video_codec: str = ""
    audio_codec: str = ""
    frame_rate: float | None = None
    rotation: int = 0


_INPUT = re.compile(r"^Input #0, (?P<container>[^ ]+?), from ", re.M)
_DURATION = re.compile(
    r"Duration: (?:(?P<h>\d+):(?P<m>\d+):(?P<s>[\d.]+)|N/A).*?bitrate: (?:(?P<kbps>\d+) kb/s|N/A)"
)
_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: (?P<codec>\w+)(?P<rest>.*)$", re.M)
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (?P<codec>\w+)", re.M)
_SIZE = re.compile(r", (?P<w>\d{1,5})x(?P<h>\d{1,5})[, ]")
_FPS = re.compile(r", (?P<fps>[\d.]+)(?P<k>k?) (?:fps|tbr)")
_ROTATION = re.compile(r"rotation of (?P<deg>-?[\d.]+) degrees")


def parse_probe(output: str) -> VideoInfo:
    """Read ``ffmpeg -i`` stderr into a VideoInfo; raise FFmpegError when no video is there."""
    container = _INPUT.search(output)
    video = _VIDEO.search(output)
    if not container or not video:
        raise FFmpegError(_reason(output) or "This file is not a video ffmpeg can read.")
    duration = bit_rate = None
    if match := _DURATION.search(output):
        if match["h"] is not None:
            duration = int(match["h"]) * 3600 + int(match["m"]) * 60 + float(match["s"])
        if match["kbps"]:
            bit_rate = int(match["kbps"]) * 1000
    width = height = None
    if size := _SIZE.search(video["rest"]):
        width, height = int(size["w"]), int(size["h"])
    frame_rate = None
    if fps := _FPS.search(video["rest"]):
        frame_rate = float(fps["fps"]) * (1000 if fps["k"] else 1)
    rotation = 0
    if rot := _ROTATION.search(output):
        rotation = round(float(rot["deg"])) % 360
    if rotation in (90, 270) and width and height:
        width, height = height, width  # phones store portrait video turned on its side
    audio = _AUDIO.search(output)
    return VideoInfo(
        container=container["container"],
        duration=duration,
        bit_rate=bit_rate,
        width=width,
        height=height,
        video_codec=video["codec"],
        audio_codec=audio["codec"] if audio else "",
        frame_rate=frame_rate,
        rotation=rotation,
    )


def _reason(output: str) -> str:
    """ffmpeg's own words for the problem, e.g. 'moov atom not found' for a cut-off MP4."""
    complaints = []
    for line in output.splitlines():
        line = re.sub(r"^\[[^\]]*\]\s*", "", line.strip())
        if not line or line.startswith(("Error opening input file", "At least one output")):
            continue
        line = line.removeprefix("Error opening input files: ").removeprefix(
            "Error opening input: "
        )
        if line not in complaints:
            complaints.append(line)
    if not complaints:
        return ""
    return "ffmpeg could not read the video: " + "; ".join(complaints[-3:])


def probe(path: str, *, timeout: float = PROBE_TIMEOUT_SECONDS) -> VideoInfo:
    try:
        completed = subprocess.run(  # noqa: S603 - fixed binary, no shell
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", path],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise FFmpegError(f"ffmpeg took longer than {timeout:.0f} s to read the video.") from error
    return parse_probe(completed.stderr.decode("utf-8", "replace"))


def frame_and_info(
    path: str,
    *,
    at: float,
    width: int,
    height: int,
    quality: int = 5,
    timeout: float = FRAME_TIMEOUT_SECONDS,
) -> tuple[VideoInfo, bytes | None]:
    """One ffmpeg run: the file's details and the frame at ``at`` s as a letterboxed JPEG.

    ``-ss`` before ``-i`` seeks in the input, so ffmpeg decodes only from the
    keyframe before ``at``, not the whole file up to it. The stream summary
    ffmpeg prints while opening the input gives the metadata, so no second
    process is needed. The frame is None when there is none at ``at``
    (a clip shorter than that). Raises FFmpegError when the file cannot be
    read or ffmpeg runs past ``timeout``.
    """
    scale = (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2"
    )
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats"]
    if at > 0:
        command += ["-ss", f"{at:.3f}"]
    command += [
        "-i",
        path,
        "-an",
        "-sn",
        "-dn",
        "-frames:v",
        "1",
        "-vf",
        scale,
        "-q:v",
        str(quality),
        "-f",
        "image2pipe",
        "-c:v",
        "mjpeg",
        "pipe:1",
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - fixed binary, no shell
            command, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise FFmpegError(f"ffmpeg took longer than {timeout:.0f} s to grab a frame.") from error
    info = parse_probe(completed.stderr.decode("utf-8", "replace"))
    frame = completed.stdout if completed.stdout.startswith(b"\xff\xd8") else None
    return info, frame
