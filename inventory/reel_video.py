"""A vehicle's Reel: its photos with a slow zoom or pan between a title card and an end card.

moviepy composes the clips and drives the encoder; Pillow draws every
picture. Each photo is fitted whole (car photos are landscape: a 9:16 crop
would cut the car in half) over a blurred, darkened copy of itself that fills
the 1080x1920 frame, with the vehicle and its price below. Frames are made
one at a time as the encoder asks for them: only the current photo is held,
decoded reduced (JPEG draft) to just above what the zoom needs.

The ffmpeg binary is the one imageio-ffmpeg ships (``processing.ffmpeg``):
moviepy is pointed at it before its first import. The audio is a silent AAC
track: Instagram wants an audio stream, and we ship no music.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from library.processing import ffmpeg, placeholder
from library.processing.thumbnails import flatten_rgb, open_reduced

FPS = 30
WIDTH, HEIGHT = 1080, 1920
CARD_SECONDS = 2  # the title card, and the end card
PHOTO_SECONDS = 2
MIN_SECONDS, MAX_SECONDS = 15, 30  # our vehicle Reels; Meta takes 3 s to 15 min (90 s on Pages)
MAX_PHOTOS = (MAX_SECONDS - 2 * CARD_SECONDS) // PHOTO_SECONDS
ZOOM = 1.12  # the slow zoom: 12 % over a photo's time on screen
FADE_SECONDS = 0.25  # each photo fades in from and out to black
PHOTO_BOX = (WIDTH, 1200)  # a photo is fitted inside; portrait ones stay clear of the text
PHOTO_CENTRE_Y = 760  # above the middle: Instagram's caption covers the bottom fifth
MARGIN = 90
WHITE, GREY = (255, 255, 255), (209, 213, 219)
DEFAULT_ACCENT = (250, 204, 21)

# x264's "veryfast": about 4 times the speed of "medium" on this machine, files no larger
# (slow pans and zooms compress well), and Meta re-encodes every Reel anyway.
PRESET = "veryfast"
# H.264 High, yuv420p, CRF 20 capped at 8 Mb/s (a 30 s Reel stays near 30 MB, far under
# Meta's 300 MB), a keyframe every 2 s, the index at the front so playback starts at once.
ENCODER_OPTIONS = [
    "-profile:v", "high",
    "-crf", "20",
    "-maxrate", "8M",
    "-bufsize", "16M",
    "-g", str(2 * FPS),
    "-movflags", "+faststart",
]  # fmt: skip
AUDIO_RATE = 44100
AUDIO_BITRATE = "128k"


@dataclass(frozen=True)
class ReelPlan:
    """How long the Reel runs and how many photos it shows, in whole seconds."""

    photo_count: int
    photo_seconds: float
    seconds: int

    @property
    def frames(self) -> int:
        return self.seconds * FPS


def plan_reel(photo_count: int) -> ReelPlan:
    """2 s per photo plus the cards, held within 15 to 30 s (few photos stay longer)."""
    if photo_count < 1:
        raise ValueError("A Reel needs at least one photo.")
    used = min(photo_count, MAX_PHOTOS)
    seconds = min(max(2 * CARD_SECONDS + PHOTO_SECONDS * used, MIN_SECONDS), MAX_SECONDS)
    return ReelPlan(used, (seconds - 2 * CARD_SECONDS) / used, seconds)


@dataclass(frozen=True)
class ReelText:
    """What the cards say, already in the dealer's words (price formatted, URL as text)."""

    heading: str  # "2021 Honda Accord"
    trim: str
    price: str
    dealership: str
    url: str
    accent: tuple[int, int, int] = DEFAULT_ACCENT


@functools.cache
def _moviepy():
    """moviepy, pointed at our ffmpeg (it reads ``FFMPEG_BINARY`` once, on import)."""
    os.environ["FFMPEG_BINARY"] = ffmpeg.ffmpeg_exe()
    import moviepy
    from moviepy.audio.io import ffmpeg_audiowriter
    from moviepy.video.io import ffmpeg_writer

    for module in (ffmpeg_writer, ffmpeg_audiowriter):  # imported earlier with other settings
        module.FFMPEG_BINARY = ffmpeg.ffmpeg_exe()
    return moviepy


# --- pictures -----------------------------------------------------------------


def _fitted_size(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(PHOTO_BOX[0] / size[0], PHOTO_BOX[1] / size[1])
    return max(2, round(size[0] * scale)), max(2, round(size[1] * scale))


def _backdrop(photo: Image.Image) -> Image.Image:
    """The photo cropped to 9:16, blurred at a tenth of the size and darkened: the fill."""
    width, height = photo.size
    if width / height > WIDTH / HEIGHT:
        crop_width = height * WIDTH / HEIGHT
        box = ((width - crop_width) / 2, 0, (width + crop_width) / 2, height)
    else:
        crop_height = width * HEIGHT / WIDTH
        box = (0, (height - crop_height) / 2, width, (height + crop_height) / 2)
    small = photo.resize((WIDTH // 10, HEIGHT // 10), Image.Resampling.BILINEAR, box=box)
    small = small.filter(ImageFilter.GaussianBlur(3))
    return ImageEnhance.Brightness(small).enhance(0.45).resize((WIDTH, HEIGHT))


def _lines(draw, text: str, *, size: int, top: float, fill, max_lines: int = 2) -> float:
    """Draw ``text`` centred, wrapped to the margins; returns the y below it."""
    if not text.strip():
        return top
    fonts = placeholder.fonts_at(size)
    width = WIDTH - 2 * MARGIN
    for line in placeholder.wrap_title(text, width=width, fonts=fonts, max_lines=max_lines):
        placeholder.draw_centred_line(draw, line, y=top, canvas_width=WIDTH, fonts=fonts, fill=fill)
        top += size * 1.3
    return top


def _url_text(url: str) -> str:
    """The link as people read it: no scheme, no trailing slash."""
    return url.split("://", 1)[-1].rstrip("/")


def title_card(backdrop: Image.Image, text: ReelText) -> Image.Image:
    card = backdrop.copy()
    draw = ImageDraw.Draw(card)
    y = _lines(draw, text.heading, size=104, top=620, fill=WHITE, max_lines=3)
    y = _lines(draw, text.trim, size=56, top=y + 10, fill=GREY)
    _lines(draw, text.price, size=120, top=y + 60, fill=text.accent, max_lines=1)
    return card


def end_card(backdrop: Image.Image, text: ReelText) -> Image.Image:
    card = backdrop.copy()
    draw = ImageDraw.Draw(card)
    y = _lines(draw, text.dealership, size=92, top=700, fill=WHITE)
    draw.rectangle((WIDTH / 2 - 80, y + 30, WIDTH / 2 + 80, y + 36), fill=text.accent)
    _lines(draw, _url_text(text.url), size=46, top=y + 80, fill=GREY, max_lines=3)
    return card


@dataclass
class _Photo:
    """One photo made ready for its frames: the zoom's source and the frame around it."""

    source: Image.Image  # the fitted size times ZOOM
    fitted: tuple[int, int]
    frame: np.ndarray  # the backdrop with the text, as the encoder takes it
    at: tuple[int, int]


def _prepare(path: str, text: ReelText) -> _Photo:
    fitted = _fitted_size(_displayed_size(path))
    need = (math.ceil(fitted[0] * ZOOM), math.ceil(fitted[1] * ZOOM))
    photo = flatten_rgb(open_reduced(path, need))
    source = photo.resize(need, Image.Resampling.LANCZOS, reducing_gap=2.0)
    backdrop = _backdrop(photo)
    draw = ImageDraw.Draw(backdrop)
    top = PHOTO_CENTRE_Y - fitted[1] // 2
    _lines(draw, text.dealership, size=40, top=max(top - 110, 150), fill=GREY, max_lines=1)
    y = _lines(draw, text.heading, size=60, top=top + fitted[1] + 40, fill=WHITE, max_lines=1)
    _lines(draw, text.price, size=68, top=y, fill=text.accent, max_lines=1)
    return _Photo(source, fitted, np.asarray(backdrop), ((WIDTH - fitted[0]) // 2, top))


def _displayed_size(path: str) -> tuple[int, int]:
    with Image.open(path) as image:
        width, height = image.size
        if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
            return height, width
    return width, height


def _ease(p: float) -> float:
    return p * p * (3 - 2 * p)  # smoothstep: the motion starts and ends gently


def ken_burns(photo: _Photo, *, p: float, move: int) -> np.ndarray:
    """The frame at progress ``p`` (0..1): zoom in, zoom out, or pan left or right."""
    p = _ease(min(max(p, 0.0), 1.0))
    source_w, source_h = photo.source.size
    if move in (0, 1):  # zoom in, or out
        zoom = 1 + (ZOOM - 1) * (p if move == 0 else 1 - p)
        centre_x = source_w / 2
    else:  # pan at the full zoom, left to right or right to left
        zoom = ZOOM
        spare = source_w - source_w / ZOOM
        centre_x = source_w / 2 + spare * ((p if move == 2 else 1 - p) - 0.5)
    crop_w, crop_h = source_w / zoom, source_h / zoom
    top = (source_h - crop_h) / 2
    box = (centre_x - crop_w / 2, top, centre_x + crop_w / 2, top + crop_h)
    # BOX: an area average with sub-pixel edges, so the motion is smooth; 30 % under BILINEAR.
    shown = photo.source.resize(photo.fitted, Image.Resampling.BOX, box=box)
    frame = photo.frame.copy()
    x, y = photo.at
    frame[y : y + photo.fitted[1], x : x + photo.fitted[0]] = np.asarray(shown)
    return frame


# --- the video ----------------------------------------------------------------


def compose_reel(photos: Sequence[str], text: ReelText):
    """The Reel as a moviepy clip (frames made on demand) and its plan."""
    mp = _moviepy()
    vfx = mp.vfx
    plan = plan_reel(len(photos))
    photos = list(photos[: plan.photo_count])
    prepared = functools.lru_cache(maxsize=1)(lambda index: _prepare(photos[index], text))

    def segment(index: int):
        def frame_at(t: float) -> np.ndarray:
            return ken_burns(prepared(index), p=t / plan.photo_seconds, move=index % 4)

        clip = mp.VideoClip(frame_function=frame_at, duration=plan.photo_seconds)
        return clip.with_effects([vfx.FadeIn(FADE_SECONDS), vfx.FadeOut(FADE_SECONDS)])

    backdrop = _backdrop(flatten_rgb(open_reduced(photos[0], (WIDTH // 2, HEIGHT // 2))))
    title = mp.ImageClip(np.asarray(title_card(backdrop, text)), duration=CARD_SECONDS)
    end = mp.ImageClip(np.asarray(end_card(backdrop, text)), duration=CARD_SECONDS)
    clips = [
        title.with_effects([vfx.FadeOut(FADE_SECONDS)]),
        *(segment(index) for index in range(plan.photo_count)),
        end.with_effects([vfx.FadeIn(FADE_SECONDS)]),
    ]
    video = mp.concatenate_videoclips(clips, method="chain").with_duration(plan.seconds)
    silence = mp.AudioClip(
        frame_function=lambda t: np.zeros((np.size(t), 2)) if np.ndim(t) else np.zeros(2),
        duration=plan.seconds,
        fps=AUDIO_RATE,
    )
    return video.with_audio(silence).with_fps(FPS), plan


def write_reel(*, photos: Sequence[str], text: ReelText, out_path: str) -> ReelPlan:
    """Write the Reel of ``photos`` (local image files, in order) to ``out_path`` (.mp4)."""
    video, plan = compose_reel(photos, text)
    workdir = str(Path(out_path).parent)
    try:
        video.write_videofile(
            out_path,
            fps=FPS,
            codec="libx264",
            preset=PRESET,
            audio_codec="aac",
            audio_bitrate=AUDIO_BITRATE,
            audio_fps=AUDIO_RATE,
            temp_audiofile_path=workdir,
            ffmpeg_params=ENCODER_OPTIONS,
            logger=None,
        )
    finally:
        video.close()
    return plan
