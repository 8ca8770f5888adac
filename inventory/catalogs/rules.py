"""Each catalog's rules as data: its columns (headers as its specification spells them), what it requires, its limits, and where each rule comes from.

The same data drives the feed (which vehicles go in, which columns they carry)
and the Catalogs page (who is left out, and why), and tells an import which
missing fields to report.
"""

from dataclasses import dataclass, field

META_REF = "Meta, Automotive Ads reference (Supported Feed Formats; vehicle fields)"
GOOGLE_ADS_REF = "Google Merchant Center, “Create a primary feed” for vehicle ads (answer 11192663)"
GOOGLE_LISTINGS_REF = "Google vehicle listings, Feed specification (developers.google.com)"
TIKTOK_REF = "TikTok Ads, “Available fields for Automotive Ads inventory catalogs” (July 2025)"


@dataclass(frozen=True)
class Column:
    """One column: its header, the row value it carries, and whether the catalog requires it."""

    header: str
    value: str  # a key of catalogs.rows.vehicle_row's answer
    required: bool = False
    source: str = ""


@dataclass(frozen=True)
class Catalog:
    key: str
    name: str
    utm_source: str
    files: tuple[str, ...]
    columns: tuple[Column, ...]
    manager: str  # where the dealer adds the URL
    max_images: int = 20
    min_photo_px: int = 0  # the smaller side of a photo, when we know it
    sold_state: str = ""  # the availability value for a recently sold vehicle, if any
    limits: dict[str, int] = field(default_factory=dict)  # value key → most characters

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def _meta_columns() -> tuple[Column, ...]:
    required = {
        "vehicle_id",
        "title",
        "description",
        "url",
        "make",
        "model",
        "year",
        "mileage.value",
        "mileage.unit",
        "image[0].url",
        "body_style",
        "state_of_vehicle",
        "price",
        "exterior_color",
    }
    pairs = [
        ("vehicle_id", "vehicle_id"),
        ("vin", "vin"),
        ("title", "title"),
        ("description", "description"),
        ("url", "url"),
        ("make", "make"),
        ("model", "model"),
        ("year", "year"),
        ("trim", "trim"),
        ("mileage.value", "mileage_value"),
        ("mileage.unit", "mileage_unit"),
        *[(f"image[{i}].url", f"image_{i}") for i in range(10)],
        ("body_style", "meta_body_style"),
        ("transmission", "transmission"),
        ("fuel_type", "fuel_type"),
        ("drivetrain", "drivetrain"),
        ("condition", "meta_condition"),
        ("state_of_vehicle", "meta_state"),
        ("price", "price"),
        ("sale_price", "sale_price"),
        ("exterior_color", "exterior_color"),
        ("availability", "meta_availability"),
        ("date_first_on_lot", "date_in_stock"),
        ("address.addr1", "addr1"),
        ("address.city", "city"),
        ("address.region", "region"),
        ("address.postal_code", "postal_code"),
        ("address.country", "country"),
        ("dealer_name", "dealership_name"),
        ("fb_page_id", "fb_page_id"),
    ]
    return tuple(Column(h, v, h in required, META_REF) for h, v in pairs)


def _google_columns() -> tuple[Column, ...]:
    listings = {"dealership_name", "dealership_address", "date_in_stock", "make", "exterior_color"}
    required = {
        "vin",
        "id",
        "store_code",
        "dealership_name",
        "dealership_address",
        "image_link",
        "link",
        "price",
        "condition",
        "brand",
        "model",
        "year",
        "color",
    }
    pairs = [
        ("vin", "vin"),
        ("id", "vehicle_id"),
        ("store_code", "store_code"),
        ("dealership_name", "dealership_name"),
        ("dealership_address", "dealership_address"),
        ("title", "title"),
        ("description", "description"),
        ("image_link", "image_0"),
        ("additional_image_link", "additional_images"),
        ("link", "url"),
        ("date_in_stock", "date_in_stock"),
        ("price", "price"),
        ("vehicle_msrp", "vehicle_msrp"),
        ("condition", "google_condition"),
        ("certified_pre_owned", "certified_pre_owned"),
        ("mileage", "google_mileage"),
        ("brand", "make"),
        ("make", "make"),
        ("model", "model"),
        ("year", "year"),
        ("trim", "trim"),
        ("color", "exterior_color"),
        ("exterior_color", "exterior_color"),
        ("body_style", "body_style"),
    ]
    return tuple(
        Column(h, v, h in required, GOOGLE_LISTINGS_REF if h in listings else GOOGLE_ADS_REF)
        for h, v in pairs
    )


def _tiktok_columns() -> tuple[Column, ...]:
    required = {
        "vehicle_id",
        "title",
        "description",
        "url",
        "make",
        "model",
        "year",
        "mileage.value",
        "mileage.unit",
        "image_link",
        "body_style",
        "price",
        "state_of_vehicle",
    }
    pairs = [
        ("vehicle_id", "vehicle_id"),
        ("title", "title"),
        ("description", "description"),
        ("url", "url"),
        ("make", "make"),
        ("model", "model"),
        ("year", "year"),
        ("trim", "trim"),
        ("mileage.value", "mileage_value"),
        ("mileage.unit", "mileage_unit"),
        ("image_link", "image_0"),
        ("additional_image_link", "additional_images"),
        ("transmission", "transmission"),
        ("body_style", "meta_body_style"),
        ("drivetrain", "drivetrain"),
        ("vin", "vin"),
        ("price", "price"),
        ("sale_price", "sale_price"),
        ("state_of_vehicle", "meta_state"),
        ("exterior_color", "exterior_color"),
    ]
    return tuple(Column(h, v, h in required, TIKTOK_REF) for h, v in pairs)


CATALOGS: dict[str, Catalog] = {
    "meta": Catalog(
        key="meta",
        name="Meta (Facebook and Instagram)",
        utm_source="meta",
        files=("meta.csv", "meta.xml"),
        columns=_meta_columns(),
        manager="Meta Commerce Manager",
        max_images=20,
        sold_state="MARK_AS_SOLD",
        limits={"title": 500, "description": 5000, "vehicle_id": 100},
    ),
    "google": Catalog(
        key="google",
        name="Google (vehicle ads and vehicle listings)",
        utm_source="google",
        files=("google.tsv",),
        columns=_google_columns(),
        manager="Google Merchant Center",
        max_images=11,  # image_link and ten additional_image_link
        limits={"title": 150, "description": 5000, "vehicle_id": 50},
    ),
    "tiktok": Catalog(
        key="tiktok",
        name="TikTok",
        utm_source="tiktok",
        files=("tiktok.csv",),
        columns=_tiktok_columns(),
        manager="TikTok Ads Manager's catalog manager",
        max_images=20,
        min_photo_px=500,
        limits={"title": 500, "description": 5000, "vehicle_id": 100},
    ),
}
FILES = {name: catalog for catalog in CATALOGS.values() for name in catalog.files}

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
    """The catalogs that require a row value."""
    return [
        c.name
        for c in CATALOGS.values()
        if any(col.required and col.value == value for col in c.columns)
    ]


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
        who = "vehicle has" if count == 1 else "vehicles have"
        if name == "image_urls":
            why = "they cannot be posted or listed"
        else:
            why = ", ".join(needed_by(value)) + " cannot list them"
        lines.append(
            {"field": name, "count": count, "message": f"{count} {who} no {label}: {why}."}
        )
    return lines
