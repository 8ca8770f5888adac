"""Real media for the processing tests: ffmpeg's test sources and Pillow images."""

import io
import subprocess
from pathlib import Path

from PIL import ExifTags, Image

from library.processing.ffmpeg import ffmpeg_exe

GPS = {1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 0.0)}
XMP_WITH_LOCATION = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="52,22.0N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def image_bytes(
    width: int = 640,
    height: int = 480,
    *,
    fmt: str = "JPEG",
    orientation: int | None = None,
    gps: bool = False,
    halves: tuple[str, str] = ("red", "blue"),
    mode: str = "RGB",
) -> bytes:
    """Left half one colour, right half another, so orientation can be read back."""
    image = Image.new(mode, (width, height), halves[0])
    image.paste(Image.new(mode, (width - width // 2, height), halves[1]), (width // 2, 0))
    options: dict = {}
    if orientation or gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "TestCam"
        if orientation:
            exif[ExifTags.Base.Orientation] = orientation
        if gps:
            exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
        options["exif"] = exif
    if gps and fmt == "JPEG":
        options["xmp"] = XMP_WITH_LOCATION
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def run_ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=60,
    )


def colour_change_mp4(
    path: Path,
    *,
    first: str = "red",
    then: str = "blue",
    first_seconds: float = 1.0,
    total_seconds: float = 3.0,
    size: str = "320x240",
    rate: int = 25,
    audio: bool = True,
) -> Path:
    """H.264/AAC MP4: ``first`` colour until ``first_seconds``, ``then`` after it."""
    rest = max(total_seconds - first_seconds, 0)
    video = (
        f"color=c={first}:s={size}:r={rate}:d={first_seconds}[a];"
        f"color=c={then}:s={size}:r={rate}:d={rest}[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p[v]"
        if rest
        else f"color=c={first}:s={size}:r={rate}:d={first_seconds},format=yuv420p[v]"
    )
    args = ["-filter_complex", video]
    if audio:
        args += [
            "-f",
            "lavfi",
            "-t",
            str(total_seconds),
            "-i",
            "sine=frequency=440:sample_rate=44100",
        ]
    args += ["-map", "[v]"]
    if audio:
        args += ["-map", "0:a", "-c:a", "aac", "-shortest"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", str(path)]
    run_ffmpeg(*args)
    return path


def pattern_video(
    path: Path, *, seconds: float = 3, size: str = "320x240", codec: str = "libx264", rate: int = 25
) -> Path:
    run_ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size={size}:rate={rate}:duration={seconds}",
        "-c:v",
        codec,
        "-pix_fmt",
        "yuv420p",
        str(path),
    )
    return path
