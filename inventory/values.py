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
_AMOUNT = re.compile(r"[0-9][0-9.,\u00a0\u202f' ]*")
_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_DOLLAR_COUNTRIES = {"CA": "CAD", "AU": "AUD", "NZ": "NZD", "MX": "MXN"}
_EURO_COUNTRIES = {
    "AT",
    "BE",
    "CY",
    "DE",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PT",
    "SI",
    "SK",
}
_COUNTRY_CURRENCY = {"US": "USD", "GB": "GBP", "CH": "CHF", **_DOLLAR_COUNTRIES}
# Where a mileage without a unit is in miles; everywhere else it is kilometres.
_MILES_COUNTRIES = {"US", "GB", "LR", "MM"}
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


def default_currency(country: str) -> str:
    if country in _EURO_COUNTRIES:
        return "EUR"
    return _COUNTRY_CURRENCY.get(country, "USD")


def _number(text: str) -> Decimal:
    """A number as people write it: 21,995 / 21.995 / 21 995,50 / 1.234.567,00 / 21995.5.

    The last separator followed by one or two digits is the decimal point; a
    separator followed by three digits groups thousands, in any locale.
    """
    digits = re.sub(r"[\s\u00a0\u202f']", "", text)
    last = max(digits.rfind(","), digits.rfind("."))
    if last != -1 and len(digits) - last - 1 in (1, 2):
        whole, fraction = digits[:last], digits[last + 1 :]
    else:
        whole, fraction = digits, ""
    whole = whole.replace(",", "").replace(".", "")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise InvalidOperation
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _price(text: str, field: str, *, country: str = "US") -> tuple[Decimal, str | None]:
    """An amount with its currency: "$21,995", "21.995 €", "18995 USD", "CAD 24,500"."""
    refusal = RowRefused(f"{field} “{text}” is not an amount such as 18995 USD or $18,995.")
    rest = text.strip()
    currency = None
    code = re.search(r"\b([A-Za-z]{3})\b", rest)
    if code:
        currency = code.group(1).upper()
        rest = rest.replace(code.group(0), "")
    for sign, name in _CURRENCY_SIGNS.items():
        if sign in rest:
            rest = rest.replace(sign, "")
            if currency is None:
                currency = _DOLLAR_COUNTRIES.get(country, name) if sign == "$" else name
    rest = rest.strip()
    if not rest or not _AMOUNT.fullmatch(rest):
        raise refusal
    try:
        amount = _number(rest)
    except InvalidOperation:
        raise refusal from None
    if amount >= Decimal("100000000"):
        raise RowRefused(f"{field} “{text}” is too large for a vehicle.")
    return amount, currency


_MILEAGE = re.compile(
    r"^\s*([0-9][0-9.,\s\u00a0\u202f']*?)\s*(k)?\s*(mi|miles?|km|kms|kilometers?|kilometres?)?\.?\s*$",
    re.IGNORECASE,
)


def _mileage(text: str) -> tuple[int | None, str]:
    """The odometer and its unit, when given: "45,000", "45.000 km", "72 000 mi", "12k miles"."""
    match = _MILEAGE.match(text)
    if not match:
        raise RowRefused(f"Mileage “{text}” is not a number such as 45,000 or 72.000 km.")
    try:
        value = _number(match.group(1))
    except InvalidOperation:
        raise RowRefused(f"Mileage “{text}” is not a number such as 45,000.") from None
    if match.group(2):
        value *= 1000
    unit = (match.group(3) or "").lower()
    return int(value), ("KM" if unit.startswith("k") else "MI" if unit else "")


def _clip(text: str, field: str) -> str:
    return text[: Vehicle._meta.get_field(field).max_length]


def vehicle_values(fields: dict, *, country: str = "US") -> tuple[dict, list[str]]:
    """The vehicle's values from a feed row, and warnings; RowRefused says why not.

    Amounts and mileages are read as the dealership's country writes them: its
    currency when the price names none, kilometres unless it counts in miles.
    """
    warnings: list[str] = []
    vin = vins.normalize(fields.get("vin", ""))
    if problem := vins.vin_problem(vin):
        raise RowRefused(problem)
    if warning := vins.check_digit_warning(vin):
        warnings.append(warning)
    for required in ("make", "model"):
        if not fields.get(required):
            raise RowRefused(f"It has no {required}.")
    year_text = fields.get("year", "").strip()
    if not year_text.isdigit() or not 1900 <= int(year_text) <= datetime.date.today().year + 2:
        raise RowRefused(f"Year “{year_text}” is not a model year.")
    if not fields.get("price", "").strip():
        raise RowRefused("It has no price.")
    price, currency = _price(fields["price"], "Price", country=country)
    sale_price = None
    if fields.get("sale_price"):
        sale_price, _ = _price(fields["sale_price"], "Sale price", country=country)
    availability_text = fields.get("availability", "").strip().lower()
    if availability_text not in _AVAILABILITY:
        raise RowRefused(
            f"Availability “{fields['availability']}” is not available, pending or sold."
        )
    mileage, unit_in_value = None, ""
    if fields.get("mileage.value", "").strip():
        mileage, unit_in_value = _mileage(fields["mileage.value"])
        if mileage > 2_000_000:
            raise RowRefused(f"Mileage “{fields['mileage.value']}” is not a vehicle's mileage.")
    unit = fields.get("mileage.unit", "").strip().upper() or unit_in_value
    unit = {"MILES": "MI", "MILE": "MI", "KILOMETERS": "KM", "KILOMETRES": "KM", "KMS": "KM"}.get(
        unit, unit
    )
    if unit and unit not in ("MI", "KM"):
        warnings.append(f"Mileage unit “{unit}” is not MI or KM; it was left out.")
        unit = ""
    if mileage is not None and not unit:
        unit = "MI" if country in _MILES_COUNTRIES else "KM"
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
        "currency": currency or default_currency(country),
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
