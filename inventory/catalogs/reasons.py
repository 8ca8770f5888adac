"""Why a vehicle is left out of a catalog, and what an import reports missing, in the dealer's words.

Read with the catalogs' rules (rules.py): a required column whose row value is
empty leaves the vehicle out for the reason below.
"""

from .rules import CATALOGS

# A row value left empty → why the vehicle is left out, in the dealer's words.
REASONS = {
    "vehicle_id": "no vehicle id",
    "vin": "no VIN",
    "title": "no title",
    "description": "no description",
    "url": "no link to its page on your site",
    "make": "no make",
    "model": "no model",
    "year": "no year",
    "mileage_value": "mileage missing",
    "mileage_unit": "mileage unit missing",
    "google_mileage": "mileage missing",
    "image_0": "no photo",
    "meta_body_style": "no body style",
    "meta_state": "not marked new, used or CPO",
    "google_condition": "not marked new or used",
    "price": "no price",
    "exterior_color": "no exterior colour",
}
# Dealership-wide values: missing, they leave out every vehicle; the page says so once.
DEALERSHIP_VALUES = {
    "store_code": "your store code",
    "dealership_name": "your dealership's name",
    "dealership_address": "your dealership's address",
    "addr1": "your street address",
    "city": "your city",
    "region": "your state or region",
    "postal_code": "your postal code",
    "country": "your country",
    "fb_page_id": "a connected Facebook Page",
}
# The vehicle fields an import reports when missing, and the row values they feed.
VEHICLE_FIELDS = {
    "image_urls": ("image_0", "photo"),
    "mileage_value": ("mileage_value", "mileage"),
    "url": ("url", "link to its page on your site"),
    "body_style": ("meta_body_style", "body style"),
    "exterior_color": ("exterior_color", "exterior colour"),
    "state_of_vehicle": ("meta_state", "new, used or CPO"),
}


def needed_by(value: str) -> list[str]:
    """The catalogs that require a row value (their short names: Meta, Google, TikTok)."""
    return [
        c.short_name
        for c in CATALOGS.values()
        if any(col.required and col.value == value for col in c.columns)
    ]


def _and(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def missing_needed(values: dict) -> list[str]:
    """The vehicle fields an imported row lacks that a catalog needs (new cars need no mileage)."""
    missing = []
    for name in VEHICLE_FIELDS:
        if values.get(name) in (None, "", []):
            if name == "mileage_value" and values.get("state_of_vehicle") == "new":
                continue
            missing.append(name)
    return missing


def missing_report(counts: dict[str, int]) -> list[dict]:
    """An import's “12 vehicles have no photo: ...” lines, in VEHICLE_FIELDS' order."""
    lines = []
    for name, (value, label) in VEHICLE_FIELDS.items():
        count = counts.get(name, 0)
        if not count:
            continue
        who, them = ("vehicle has", "it") if count == 1 else ("vehicles have", "them")
        if name == "image_urls":
            why = f"{'it' if count == 1 else 'they'} cannot be posted or listed"
        else:
            why = f"{_and(needed_by(value))} cannot list {them}"
        lines.append(
            {"field": name, "count": count, "message": f"{count} {who} no {label}: {why}."}
        )
    return lines
