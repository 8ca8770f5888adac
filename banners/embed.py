"""What the website embed answers: the JSON feed, the script and the iframe page.

Each answer is built once per dealership, local day and banner version (the same
keys as the template tag's cache, banners/cache.py) and cached with its ETag, so a
cached answer, or a 304 for an unchanged one, costs cache reads and no database
query. The public key and our own origin are part of the entry (both are in the
URLs inside), and so are the static files' URLs (a deploy renders afresh).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

from . import cache as banner_cache
from .embed_keys import EmbedSite
from .selectors import Slide, active_banners, local_today
from .templatetags.banners import DEFAULT_INTERVAL_SECONDS

SCRIPT_PARTS = ("banners/carousel-core.js", "banners/embed-count.js", "banners/embed.js")
STYLE_PARTS = ("banners/carousel.css", "banners/embed.css")
FRAME_ASSETS = (
    "banners/carousel.css",
    "banners/embed-frame.css",
    "banners/carousel-core.js",
    "banners/carousel.js",
    "banners/embed-count.js",
    "banners/embed-frame.js",
)
LABEL = "Special offers"
JSON, SCRIPT, FRAME = "json", "js", "html"
CONTENT_TYPES = {
    JSON: "application/json",
    SCRIPT: "text/javascript; charset=utf-8",
    FRAME: "text/html; charset=utf-8",
}


@dataclass(frozen=True)
class Answer:
    etag: str
    body: bytes
    content_type: str


@functools.cache
def static_text(path: str) -> str:
    """A static source file's text (the embed script is built from the shared files)."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found).read_text(encoding="utf-8")


_BLOCK_COMMENT = re.compile(r"/\*.*?\*/\n?", re.DOTALL)


def compact(code: str) -> str:
    """Our own JS and CSS without comments and indentation: a lighter script, same code.

    Only for our files: they keep "/*" and "//" out of strings (tests run the result).
    """
    code = _BLOCK_COMMENT.sub("", code)
    lines = (line.strip() for line in code.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def _absolute(url: str, base_url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{base_url}{url}"


def _absolute_srcset(srcset: str, base_url: str) -> str:
    candidates = (part.strip().rsplit(" ", 1) for part in srcset.split(", ") if part.strip())
    return ", ".join(f"{_absolute(url, base_url)} {width}" for url, width in candidates)


def banner_target(*, link: str, site: EmbedSite, banner_id: int) -> str:
    """Where a click goes: the banner's checked link, made absolute, with our UTM tags.

    A link relative to the dealer's site needs its host name; without one, "".
    """
    if link.startswith("/"):
        if not site.site_host:
            return ""
        scheme = "http" if settings.DEBUG else "https"
        link = f"{scheme}://{site.site_host}{link}"
    parts = urlsplit(link)
    utm = {
        "utm_source": "website",
        "utm_medium": "banner",
        "utm_campaign": f"banner-{banner_id}",
    }
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in utm]
    return urlunsplit(parts._replace(query=urlencode([*query, *utm.items()])))


def click_url(*, site: EmbedSite, slide: Slide, base_url: str) -> str:
    if not slide.link_url or not banner_target(link=slide.link_url, site=site, banner_id=0):
        return ""
    path = reverse("embed:go", args=[site.public_key, slide.id])
    return f"{base_url}{path}"


def feed(*, site: EmbedSite, slides: list[Slide], base_url: str) -> dict:
    """The active banners in the dealer's order, as the JSON feed spells them."""

    def picture(url: str, width: int | None) -> dict | None:
        return {"url": _absolute(url, base_url), "width": width} if url else None

    banners = []
    for slide in slides:
        banners.append(
            {
                "id": slide.id,
                "title": slide.title,
                "alt": slide.title,
                "link": slide.link_url,
                "click_url": click_url(site=site, slide=slide, base_url=base_url),
                "image": {
                    "src": _absolute(slide.image_url, base_url),
                    "srcset": _absolute_srcset(slide.srcset, base_url),
                    "width": slide.width,
                    "height": slide.height,
                    "display": picture(slide.display_url, slide.display_width),
                    "original": picture(slide.original_url, slide.width),
                },
                "start_date": slide.start_date.isoformat() if slide.start_date else None,
                "end_date": slide.end_date.isoformat() if slide.end_date else None,
            }
        )
    events = reverse("embed:events", args=[site.public_key])
    return {"banners": banners, "events_url": f"{base_url}{events}"}


def _script(*, site: EmbedSite, slides: list[Slide], base_url: str) -> str:
    data = feed(site=site, slides=slides, base_url=base_url)
    data.update(
        interval_ms=DEFAULT_INTERVAL_SECONDS * 1000,
        label=LABEL,
        css=compact("\n".join(static_text(path) for path in STYLE_PARTS)),
        css_url=_absolute(static("banners/carousel.css"), base_url),
    )
    # ensure_ascii and "<" escaped: the data can never end a script or break a line.
    config = json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    code = compact("\n".join(static_text(path) for path in SCRIPT_PARTS))
    return (
        "/* Dealer Media website banners, for one dealership (see its Banners page). */\n"
        f'(function () {{\n"use strict";\nvar EMBED = {config};\n{code}\n}})();\n'
    )


def _frame(*, site: EmbedSite, slides: list[Slide], base_url: str) -> str:
    linked = [
        dataclasses.replace(slide, link_url=click_url(site=site, slide=slide, base_url=base_url))
        for slide in slides
    ]
    return render_to_string(
        "banners/embed_frame.html",
        {
            "slides": linked,
            "interval_ms": DEFAULT_INTERVAL_SECONDS * 1000,
            "label": LABEL,
            "events_url": reverse("embed:events", args=[site.public_key]),
        },
    )


BUILDERS = {
    JSON: lambda **kw: json.dumps(feed(**kw), ensure_ascii=False, separators=(",", ":")),
    SCRIPT: _script,
    FRAME: _frame,
}


def embed_answer(*, site: EmbedSite, kind: str, base_url: str) -> Answer:
    """The answer for one kind, from the cache when the banners have not changed."""
    organization = site.organization
    day = local_today(organization=organization)
    version = banner_cache.current_version(site.organization_id)
    variant = hashlib.sha1(
        "|".join(
            [
                "embed",
                kind,
                site.public_key,
                base_url,
                *map(static, (*SCRIPT_PARTS, *FRAME_ASSETS)),
            ]
        ).encode(),
        usedforsecurity=False,
    ).hexdigest()[:20]
    cached = banner_cache.get_fragment(site.organization_id, day, variant, version)
    if isinstance(cached, Answer):
        return cached
    slides = active_banners(organization=organization)
    body = BUILDERS[kind](site=site, slides=slides, base_url=base_url).encode()
    answer = Answer(
        etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        body=body,
        content_type=CONTENT_TYPES[kind],
    )
    banner_cache.set_fragment(site.organization_id, day, variant, answer, version)
    return answer
