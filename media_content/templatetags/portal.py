"""Small formatting helpers of the portal's templates."""

import datetime

from django import template

register = template.Library()


def _short(day: datetime.date, with_year: bool) -> str:
    text = f"{day:%b} {day.day}"
    return f"{text}, {day.year}" if with_year else text


@register.filter
def date_range(start: datetime.date | None, end: datetime.date | None) -> str:
    """``Jan 15 - Feb 28``; years appear only when the range crosses one."""
    if start and end:
        crosses = start.year != end.year
        return f"{_short(start, crosses)} - {_short(end, crosses)}"
    if start:
        return f"From {_short(start, False)}"
    if end:
        return f"Until {_short(end, False)}"
    return "Always"


@register.filter
def filesize_mb(value: int) -> str:
    """Sizes as the settings give them (decimal: 30 MB is 30,000,000 bytes), GB above 1000 MB."""
    megabytes = value / 1000 / 1000
    if megabytes >= 1000:
        return f"{megabytes / 1000:g} GB"
    return f"{megabytes:.0f} MB"


@register.simple_tag
def caption_limits() -> dict:
    """Meta's text limits (media_content/captions.py), for the portal's live counts."""
    from media_content import captions

    return {
        "instagram_chars": captions.INSTAGRAM_CAPTION_MAX_CHARS,
        "instagram_hashtags": captions.INSTAGRAM_CAPTION_MAX_HASHTAGS,
        "instagram_mentions": captions.INSTAGRAM_CAPTION_MAX_MENTIONS,
        "facebook_chars": captions.FACEBOOK_MESSAGE_MAX_CHARS,
        "preview_chars": captions.INSTAGRAM_PREVIEW_CHARS,
        "first_comment_chars": captions.FIRST_COMMENT_MAX_CHARS,
        "alt_text_chars": captions.ALT_TEXT_MAX_CHARS,
    }
