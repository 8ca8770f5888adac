"""The text each network shows with a post, and Meta's limits on it.

By default both networks get the title, the description and the link; a dealer
may give either network its own caption. The portal's live count
(static/js/portal/captions.js) counts as these functions do: characters are
Unicode code points, a hashtag is ``#`` and word characters, a mention ``@``
and an Instagram username's characters, each not glued to a word before it.
"""

import re

from django.core.exceptions import ValidationError

# Instagram: Meta's IG User Media reference, ``caption``: "Maximum 2200 characters,
# 30 hashtags, and 20 @ tags."
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
INSTAGRAM_CAPTION_MAX_CHARS = 2200
INSTAGRAM_CAPTION_MAX_HASHTAGS = 30
INSTAGRAM_CAPTION_MAX_MENTIONS = 20
# Facebook: Meta's Page feed, photos and videos references document no length for
# ``message``. 63,206 is the widely cited limit of a Facebook post (Facebook engineer
# Bob Baldwin, quoted by ZDNet in November 2011: "Facebook increases status update
# character limit to 63,206"), so we use it.
FACEBOOK_MESSAGE_MAX_CHARS = 63206
# Instagram's feed shows about the first 125 characters of a caption, then "more"
# (Meta's Instagram caption guidance for advertisers; the preview cuts there).
INSTAGRAM_PREVIEW_CHARS = 125
# Alt text: the IG User Media reference takes ``alt_text`` on image containers only;
# 1,000 characters per image is the limit commonly published for it.
ALT_TEXT_MAX_CHARS = 1000
# A first comment: Meta's comment references give no figure we could find; Instagram
# comments are cited at about 2,200 characters, so we hold a first comment to
# Instagram's caption limit on both networks.
FIRST_COMMENT_MAX_CHARS = INSTAGRAM_CAPTION_MAX_CHARS

NETWORKS = ("facebook", "instagram")
NETWORK_NAMES = {"facebook": "Facebook", "instagram": "Instagram"}

HASHTAG = re.compile(r"(?<![\w#])#\w+")
MENTION = re.compile(r"(?<![\w@])@[\w.]+")


def default_caption(*, title: str, description: str, link_url: str) -> str:
    """Title, description and the link when there is one: what both networks get by default."""
    parts = [title.strip(), description.strip(), link_url.strip()]
    return "\n\n".join(part for part in parts if part)


def caption_for(*, media, network: str) -> str:
    """The text posted to ``network`` ("facebook" or "instagram") with this item."""
    if network not in NETWORKS:
        raise ValueError(f"No caption for {network!r}")
    own = (getattr(media, f"{network}_caption", "") or "").strip()
    if own:
        return own
    return default_caption(
        title=media.title, description=media.description, link_url=media.link_url
    )


def caption_counts(text: str) -> dict[str, int]:
    return {
        "characters": len(text),
        "hashtags": len(HASHTAG.findall(text)),
        "mentions": len(MENTION.findall(text)),
    }


def caption_problems(*, text: str, network: str) -> list[str]:
    """What makes ``text`` too long for ``network``, in words naming the limit."""
    counts = caption_counts(text)
    name = NETWORK_NAMES[network]
    problems = []
    limit = INSTAGRAM_CAPTION_MAX_CHARS if network == "instagram" else FACEBOOK_MESSAGE_MAX_CHARS
    if counts["characters"] > limit:
        problems.append(
            f"{name} takes at most {limit:,} characters; this text has "
            f"{counts['characters']:,}. Shorten it by {counts['characters'] - limit:,}."
        )
    if network == "instagram":
        for kind, most in (
            ("hashtags", INSTAGRAM_CAPTION_MAX_HASHTAGS),
            ("mentions", INSTAGRAM_CAPTION_MAX_MENTIONS),
        ):
            if counts[kind] > most:
                what = "hashtags" if kind == "hashtags" else "@-mentions"
                problems.append(
                    f"Instagram takes at most {most} {what} in a caption; this text has "
                    f"{counts[kind]}."
                )
    return problems


def validate_instagram_caption(value: str) -> None:
    problems = caption_problems(text=value, network="instagram")
    if problems:
        raise ValidationError(problems, code="instagram_limit")


def validate_facebook_caption(value: str) -> None:
    problems = caption_problems(text=value, network="facebook")
    if problems:
        raise ValidationError(problems, code="facebook_limit")


def default_caption_errors(data: dict) -> dict[str, list[str]]:
    """Errors of the default text on each chosen network that has no caption of its own.

    Keyed by the caption field, so the dealer sees where to write a shorter one.
    """
    errors = {}
    default = default_caption(
        title=data.get("title") or "",
        description=data.get("description") or "",
        link_url=data.get("link_url") or "",
    )
    for network in NETWORKS:
        if not data.get(f"post_to_{network}") or (data.get(f"{network}_caption") or "").strip():
            continue
        problems = caption_problems(text=default, network=network)
        if problems:
            errors[f"{network}_caption"] = [
                f"With no {NETWORK_NAMES[network]} caption of its own, the post uses the title, "
                f"description and link. {problem} Shorten them, or write a "
                f"{NETWORK_NAMES[network]} caption."
                for problem in problems
            ]
    return errors
