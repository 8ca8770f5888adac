"""The drawn title card: layout, long titles, and titles in any script."""

import io

import pytest
from PIL import Image, ImageChops

from library.processing import placeholder

ARABIC = "عرض خاص على سيارات تويوتا كامري الجديدة هذا الأسبوع"
CHINESE = "丰田凯美瑞春季特卖本周末全场零首付"


def _text_area(image: Image.Image) -> Image.Image:
    return image.crop((0, 100, 300, 200))


def _ink(image: Image.Image) -> int:
    """Number of clearly dark pixels: drawn text on the white half."""
    return sum(1 for value in image.convert("L").getdata() if value < 128)


def test_layout_dark_top_red_button_white_triangle_white_bottom():
    image = Image.open(io.BytesIO(placeholder.placeholder_jpeg("Spring sale"))).convert("RGB")
    assert image.size == (300, 200)
    r, g, b = image.getpixel((10, 10))
    assert max(r, g, b) < 70  # dark top
    r, g, b = image.getpixel((150 - 22, 50))
    assert r > 180 and g < 90 and b < 90  # red circle, left of the triangle
    assert min(image.getpixel((150, 50))) > 220  # white triangle in the middle
    assert min(image.getpixel((5, 195))) > 240  # white bottom
    assert _ink(_text_area(image)) > 50  # the title is written


def test_a_300_character_title_is_wrapped_and_ended_with_an_ellipsis():
    title = ("2024 Toyota Camry XSE walkaround with our sales team " * 6)[:300]
    fonts = placeholder.default_fonts()
    lines = placeholder.wrap_title(title, width=276, fonts=fonts)
    assert len(lines) == placeholder.MAX_LINES
    assert lines[-1].endswith("…")
    assert all(placeholder.text_width(line, fonts) <= 276 for line in lines)
    assert _ink(_text_area(placeholder.render_placeholder(title))) > 200


def test_a_short_title_is_not_cut():
    lines = placeholder.wrap_title("Spring sale", width=276, fonts=placeholder.default_fonts())
    assert lines == ["Spring sale"]


@pytest.mark.parametrize("title", [ARABIC, CHINESE], ids=["arabic", "chinese"])
def test_unicode_titles_draw_real_glyphs_not_boxes(title):
    fonts = placeholder.default_fonts()
    # Every letter has a real glyph in one of the shipped fonts...
    assert all(
        placeholder.has_glyph(placeholder.font_for(char, fonts), char)
        for char in title
        if not char.isspace()
    )
    drawn = _text_area(placeholder.render_placeholder(title))
    assert _ink(drawn) > 200  # ...something is written...
    # ...and it is not what a Latin-only font draws (missing-glyph boxes).
    tofu = _text_area(placeholder.render_placeholder(title, fonts=(fonts[0],)))
    assert not placeholder.has_glyph(fonts[0], title[0])
    assert ImageChops.difference(drawn, tofu).getbbox() is not None


def test_a_long_chinese_title_wraps_by_character_with_an_ellipsis():
    fonts = placeholder.default_fonts()
    lines = placeholder.wrap_title(CHINESE * 10, width=276, fonts=fonts)
    assert len(lines) == 3 and lines[-1].endswith("…")
