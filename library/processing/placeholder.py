"""The title card shown for a video when no frame can be had.

300x200: a dark top half with a red play button and a white triangle, a
white bottom half with the video's title, wrapped, and cut with an ellipsis
when too long. Any title renders: the fonts ship with the project (under
``fonts/``, Noto Sans and Noto Sans Arabic under the OFL, Droid Sans
Fallback for Chinese, Japanese and Korean under Apache 2.0), and each
character is drawn with the first font that has a glyph for it.
"""

import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf", "DroidSansFallback.ttf")

SIZE = (300, 200)
TOP_COLOR = (31, 41, 51)
PLAY_RED = (220, 38, 38)
TEXT_COLOR = (17, 24, 39)
FONT_SIZE = 17
LINE_HEIGHT = 24
MAX_LINES = 3
PADDING = 12
ELLIPSIS = "…"

_RAQM = features.check("raqm")  # complex shaping (Arabic joining) when libraqm is present
_RTL_CLASSES = {"R", "AL"}


@functools.cache
def _font(name: str, size: int = FONT_SIZE) -> ImageFont.FreeTypeFont:
    layout = ImageFont.Layout.RAQM if _RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(FONTS_DIR / name), size, layout_engine=layout)


def default_fonts() -> tuple[ImageFont.FreeTypeFont, ...]:
    return fonts_at(FONT_SIZE)


def fonts_at(size: int) -> tuple[ImageFont.FreeTypeFont, ...]:
    """The shipped fonts at ``size`` px, in the order a character looks for its glyph."""
    return tuple(_font(name, size) for name in FONT_FILES)


@functools.cache
def _notdef(font: ImageFont.FreeTypeFont) -> bytes:
    return _mask_signature(font, "\U0010fffd")  # a private-use code point no font maps


def _mask_signature(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    mask = font.getmask(char)
    return bytes(repr(mask.size), "ascii") + bytes(mask)


@functools.lru_cache(maxsize=8192)
def has_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """True when ``font`` maps ``char`` to a real glyph rather than the missing-glyph box."""
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
        return True
    return _mask_signature(font, char) != _notdef(font)


def font_for(char: str, fonts: tuple[ImageFont.FreeTypeFont, ...]) -> ImageFont.FreeTypeFont:
    for font in fonts:
        if has_glyph(font, char):
            return font
    return fonts[0]  # nothing has it: the first font's box, as a browser would


@dataclass(frozen=True)
class _Run:
    text: str
    font: ImageFont.FreeTypeFont

    @property
    def rtl(self) -> bool:
        return any(unicodedata.bidirectional(c) in _RTL_CLASSES for c in self.text)

    @property
    def width(self) -> float:
        return self.font.getlength(self.text, **_direction(self.rtl))


def _direction(rtl: bool) -> dict:
    return {"direction": "rtl" if rtl else "ltr"} if _RAQM else {}


def _runs(text: str, fonts: tuple[ImageFont.FreeTypeFont, ...]) -> list[_Run]:
    """Split text where the font changes; spaces stay with the run they are in."""
    runs: list[_Run] = []
    for char in text:
        font = runs[-1].font if runs and char.isspace() else font_for(char, fonts)
        if runs and runs[-1].font is font:
            runs[-1] = _Run(runs[-1].text + char, font)
        else:
            runs.append(_Run(char, font))
    return runs


def text_width(text: str, fonts: tuple[ImageFont.FreeTypeFont, ...]) -> float:
    return sum(run.width for run in _runs(text, fonts))


def wrap_title(
    title: str,
    *,
    width: float,
    fonts: tuple[ImageFont.FreeTypeFont, ...],
    max_lines: int = MAX_LINES,
) -> list[str]:
    """Greedy wrap on spaces, by character for scripts without spaces; ellipsis when cut."""
    title = " ".join(title.split()) or "Untitled video"
    tokens = re.findall(r"\S+|\s+", title)
    lines: list[str] = []
    current = ""
    for token in tokens:
        candidate = current + token
        if text_width(candidate.strip(), fonts) <= width:
            current = candidate
            continue
        if current.strip():
            lines.append(current.strip())
        current = "" if token.isspace() else token
        # A word wider than the line (or a line of Chinese): break it by character.
        while current and text_width(current, fonts) > width:
            cut = len(current)
            while cut > 1 and text_width(current[:cut], fonts) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip():
        lines.append(current.strip())
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and text_width(last + ELLIPSIS, fonts) > width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip() + ELLIPSIS]


def draw_centred_line(
    draw: ImageDraw.ImageDraw,
    line: str,
    *,
    y: float,
    canvas_width: int,
    fonts: tuple[ImageFont.FreeTypeFont, ...],
    fill,
) -> None:
    """One line centred across ``canvas_width``, each character in the first font that has it."""
    x = (canvas_width - text_width(line, fonts)) / 2
    draw_text(draw, (x, y), line, fonts=fonts, fill=fill)


def draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    line: str,
    *,
    fonts: tuple[ImageFont.FreeTypeFont, ...],
    fill,
    stroke_width: int = 0,
) -> None:
    """One line from ``xy`` (its top left), each character in the first font that has it.

    A right-to-left line (its first strong character Arabic, say) lays its runs
    out from the right. ``stroke_width`` thickens the strokes in the same colour:
    a heavier weight without shipping a bold font.
    """
    runs = _runs(line, fonts)
    first_strong = next(
        (
            unicodedata.bidirectional(c)
            for c in line
            if unicodedata.bidirectional(c) in {"L", "R", "AL"}
        ),
        "L",
    )
    if first_strong in _RTL_CLASSES:
        runs = list(reversed(runs))  # a right-to-left line: runs go from the right
    x, y = xy
    for run in runs:
        draw.text(
            (x, y),
            run.text,
            font=run.font,
            fill=fill,
            stroke_width=stroke_width,
            stroke_fill=fill,
            **_direction(run.rtl),
        )
        x += run.width


def render_placeholder(
    title: str, *, fonts: tuple[ImageFont.FreeTypeFont, ...] | None = None
) -> Image.Image:
    fonts = fonts or default_fonts()
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    half = SIZE[1] // 2
    draw.rectangle((0, 0, SIZE[0], half), fill=TOP_COLOR)
    cx, cy, radius = SIZE[0] // 2, half // 2, 30
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=PLAY_RED)
    draw.polygon([(cx - 10, cy - 15), (cx - 10, cy + 15), (cx + 16, cy)], fill="white")
    lines = wrap_title(title, width=SIZE[0] - 2 * PADDING, fonts=fonts)
    top = half + (half - LINE_HEIGHT * len(lines)) // 2
    for index, line in enumerate(lines):
        draw_centred_line(
            draw,
            line,
            y=top + index * LINE_HEIGHT,
            canvas_width=SIZE[0],
            fonts=fonts,
            fill=TEXT_COLOR,
        )
    return image


def placeholder_jpeg(title: str) -> bytes:
    buffer = io.BytesIO()
    render_placeholder(title).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
