"""Caption templates of the rules, and the links vehicle posts carry.

A template is plain text with the placeholders ``{year} {make} {model}
{trim} {price} {old_price} {mileage} {url} {stock_number}``. Anything else in
braces is refused at save, in words; ``{{`` and ``}}`` are literal braces. No
attribute, index or format spec is allowed, so a template can only ever show
those values. ``{url}`` is the vehicle's link with the UTM parameters of the
network the caption is for: ``utm_source=<network>``, ``utm_medium=social``,
``utm_campaign=vehicle-<stock number, else VIN>``.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from .models import Vehicle

PLACEHOLDERS = (
    "year",
    "make",
    "model",
    "trim",
    "price",
    "old_price",
    "mileage",
    "url",
    "stock_number",
)
_formatter = string.Formatter()


def template_problems(template: str) -> list[str]:
    """What is wrong with a caption template, in words (empty: it is fine)."""
    try:
        parts = list(_formatter.parse(template))
    except ValueError:
        return ["A “{” or “}” has no partner; write {{ or }} for a brace itself."]
    problems = []
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name == "":
            problems.append(f"“{{}}” is empty; use one of {known}.")
        elif name not in PLACEHOLDERS:
            problems.append(f"“{{{name}}}” is not a placeholder we know; use one of {known}.")
        elif spec or conversion:
            problems.append(f"Write “{{{name}}}” without “:” or “!” after the name.")
    return problems


def validate_template(template: str) -> None:
    if problems := template_problems(template):
        raise ValidationError(problems)


def money(amount: Decimal | None, currency: str = "USD") -> str:
    if amount is None:
        return ""
    symbol = "$" if currency in ("USD", "CAD", "AUD") else f"{currency} "
    whole = amount == amount.to_integral_value()
    return f"{symbol}{amount:,.0f}" if whole else f"{symbol}{amount:,.2f}"


def campaign(vehicle: Vehicle) -> str:
    return f"vehicle-{vehicle.stock_number or vehicle.vin}"


def tracked_link(vehicle: Vehicle, *, network: str) -> str:
    """The vehicle's link with the UTM parameters of ``network`` (its own query kept)."""
    if not vehicle.url:
        return ""
    parts = urlsplit(vehicle.url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    query += [
        ("utm_source", network),
        ("utm_medium", "social"),
        ("utm_campaign", campaign(vehicle)),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def values(vehicle: Vehicle, *, network: str) -> dict[str, str]:
    mileage = ""
    if vehicle.mileage_value is not None:
        unit = {"MI": "miles", "KM": "km"}.get(vehicle.mileage_unit, "")
        mileage = f"{vehicle.mileage_value:,} {unit}".strip()
    return {
        "year": str(vehicle.year),
        "make": vehicle.make,
        "model": vehicle.model,
        "trim": vehicle.trim,
        "price": money(vehicle.asking_price, vehicle.currency),
        "old_price": money(vehicle.previous_price, vehicle.currency),
        "mileage": mileage,
        "url": tracked_link(vehicle, network=network),
        "stock_number": vehicle.stock_number,
    }


# Where a template's text splits a line into parts: ", ", ". ", "; ", "! ", "? ", " · ", " - ", " | ".
_SEPARATOR = re.compile(r"(?:[,.;!?]\s+|\s+[·|\u2013\u2014-]\s+)")


def _render_line(parts: list[tuple[str, str | None]], values: dict[str, str]) -> str | None:
    """One template line; a part whose placeholders are all empty goes with its separator.

    None when every placeholder of the line is empty: the line is left out.
    """
    segments: list[list] = [[]]  # each: [(text, name), ...]; separators end a segment
    separators: list[str] = []
    for text, name in parts:
        position = 0
        for match in _SEPARATOR.finditer(text):
            segments[-1].append((text[position : match.start()], None))
            separators.append(match.group(0))
            segments.append([])
            position = match.end()
        segments[-1].append((text[position:], None))
        if name is not None:
            segments[-1].append(("", name))
    names = [n for segment in segments for _t, n in segment if n]
    if names and not any(values[n] for n in names):
        return None
    kept: list[str] = []
    ending = ""  # a sentence's end dropped with the part after it: kept
    for index, segment in enumerate(segments):
        fields = [n for _t, n in segment if n]
        if fields and not any(values[n] for n in fields):
            if kept and index > 0 and separators[index - 1].strip() in (".", "!", "?"):
                ending = ending or separators[index - 1].strip()
            continue
        piece = "".join(text + (values[name] if name else "") for text, name in segment)
        if kept and index > 0:
            kept.append(separators[index - 1])
            ending = ""
        elif not kept and index > 0 and not piece.strip():
            continue
        kept.append(piece)
    line = " ".join(("".join(kept) + ending).split())
    return re.sub(r"\s+([,.;!?])", r"\1", line)


_OPENING_BRACKET = re.compile(r"\s*\([^()]*$")


def _without_empty_brackets(
    parts: list[tuple[str, str | None]], values: dict[str, str]
) -> list[tuple[str, str | None]]:
    """A bracket around an empty field goes with it: "now $19,900 (was {old_price})" never
    ends in "(was )"."""
    parts = list(parts)
    for index, (text, name) in enumerate(parts[:-1]):
        after, next_name = parts[index + 1]
        opening = _OPENING_BRACKET.search(text)
        if name and not values[name] and opening and after.startswith(")"):
            parts[index] = (text[: opening.start()], None)
            parts[index + 1] = (after[1:], next_name)
    return parts


def render(template: str, vehicle: Vehicle, *, network: str) -> str:
    """The caption for ``network``; an empty field never shows (no “, ,”).

    A line whose placeholders are all empty is left out; within a line, the part
    around an empty field ("{mileage}" between commas, "See it: {url}") goes with
    its separator. The template was validated when the rule was saved.
    """
    validate_template(template)
    values_ = values(vehicle, network=network)
    lines = []
    for raw in template.split("\n"):
        parts = [(text, name) for text, name, _s, _c in _formatter.parse(raw)]
        line = _render_line(_without_empty_brackets(parts, values_), values_)
        if line is not None:
            lines.append(line)
    return "\n".join(lines).strip()
