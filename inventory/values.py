"""One feed row to a vehicle's values, or the reason it is refused (in words)."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from . import vins
from .models import Vehicle

MAX_IMAGES = 20  # Meta's catalog takes up to 20 photos a vehicle
_url = URLValidator(schemes=["http", "https"])
_PRICE = re.compile(r"^\s*\$?\s*([0-9][0-9,]*(?:\.[0-9]{1,2})?)\s*([A-Za-z]{3})?\s*$")
_STATES = {
    "new": "new",
    "used": "used",
    "cpo": "cpo",
    "certified": "cpo",
    "certified pre-owned": "cpo",
}
_AVAILABILITY = {
    "": "available",
    "available": "available",
    "in stock": "available",
    "pending": "pending",
    "sold": "sold",
    "out of stock": "sold",
}


class RowRefused(Exception):
    pass


def _price(text: str, field: str) -> tuple[Decimal, str | None]:
    match = _PRICE.match(text)
    if not match:
        raise RowRefused(f"{field} “{text}” is not an amount such as 18995 USD.")
    try:
        amount = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        raise RowRefused(f"{field} “{text}” is not an amount such as 18995 USD.") from None
    if amount >= Decimal("100000000"):
        raise RowRefused(f"{field} “{text}” is too large for a vehicle.")
    return amount, (match.group(2) or "").upper() or None


def _clip(text: str, field: str) -> str:
    return text[: Vehicle._meta.get_field(field).max_length]


def vehicle_values(fields: dict) -> tuple[dict, list[str]]:
    """The vehicle's values from a feed row, and warnings; RowRefused says why not."""
    warnings: list[str] = []
    vin = vins.normalize(fields.get("vin", ""))
    if problem := vins.vin_problem(vin):
        raise RowRefused(problem)
    if warning := vins.check_digit_warning(vin):
        warnings.append(warning)
    for required in ("make", "model"):
        if not fields.get(required):
            raise RowRefused(f"It has no {required}.")
    year_text = fields.get("year", "")
    if not year_text.isdigit() or not 1900 <= int(year_text) <= datetime.date.today().year + 2:
        raise RowRefused(f"Year “{year_text}” is not a model year.")
    price, currency = _price(fields.get("price", ""), "Price")
    sale_price = None
    if fields.get("sale_price"):
        sale_price, _ = _price(fields["sale_price"], "Sale price")
    availability_text = fields.get("availability", "").lower()
    if availability_text not in _AVAILABILITY:
        raise RowRefused(
            f"Availability “{fields['availability']}” is not available, pending or sold."
        )
    mileage_text = fields.get("mileage.value", "").replace(",", "")
    mileage = None
    if mileage_text:
        try:
            mileage = int(Decimal(mileage_text))
        except InvalidOperation:
            raise RowRefused(f"Mileage “{fields['mileage.value']}” is not a number.") from None
        if mileage < 0 or mileage > 2_000_000:
            raise RowRefused(f"Mileage “{mileage_text}” is not a vehicle's mileage.")
    unit = fields.get("mileage.unit", "").upper()
    unit = {"MILES": "MI", "KILOMETERS": "KM", "KILOMETRES": "KM"}.get(unit, unit)
    if unit and unit not in ("MI", "KM"):
        warnings.append(f"Mileage unit “{unit}” is not MI or KM; it was left out.")
        unit = ""
    state = fields.get("state_of_vehicle", "").lower()
    if state and state not in _STATES:
        warnings.append(f"State “{state}” is not new, used or cpo; it was left out.")
    url = fields.get("url", "")
    if url and not _valid_url(url):
        warnings.append(f"The vehicle's link “{url[:200]}” is not an http(s) address.")
        url = ""
    images = [u for u in fields.get("images", []) if _valid_url(u)][:MAX_IMAGES]
    values = {
        "vin": vin,
        "vehicle_id": _clip(fields.get("vehicle_id", "") or vin, "vehicle_id"),
        "stock_number": _clip(fields.get("stock_number", ""), "stock_number"),
        "make": _clip(fields["make"], "make"),
        "model": _clip(fields["model"], "model"),
        "year": int(year_text),
        "trim": _clip(fields.get("trim", ""), "trim"),
        "mileage_value": mileage,
        "mileage_unit": unit,
        "price": price,
        "sale_price": sale_price,
        "currency": currency or "USD",
        "state_of_vehicle": _STATES.get(state, ""),
        "exterior_color": _clip(fields.get("exterior_color", ""), "exterior_color"),
        "body_style": _clip(fields.get("body_style", ""), "body_style"),
        "url": url,
        "image_urls": images,
        "description": fields.get("description", "")[:5000],
        "availability": _AVAILABILITY[availability_text],
    }
    return values, warnings


def _valid_url(url: str) -> bool:
    if len(url) > 1000:
        return False
    try:
        _url(url)
    except ValidationError:
        return False
    return True
