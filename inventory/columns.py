"""Which of our fields each column of a dealer's file is: Meta's names, common aliases, or the dealer's choice.

DMS and website exports name columns their own way ("Stock #", "Internet Price",
"Odometer", "ImageURLs"); ``guess`` maps the ones we know, ``resolve`` lets a
mapping the dealer saved for the source win, and ``ColumnReport`` keeps what a
run read: every header, what it became, a sample value, and what was ignored.
"""

import re
from dataclasses import dataclass, field

# Our fields, in the order the mapper and the sample file show them: (field, label, what it is).
FIELDS: list[tuple[str, str, str]] = [
    ("vin", "VIN", "The 17-character vehicle identification number. Required."),
    ("stock_number", "Stock number", "Your stock number for the vehicle."),
    ("vehicle_id", "Vehicle id", "Your id for the vehicle in catalogs (the VIN if empty)."),
    ("year", "Year", "The model year, such as 2021. Required."),
    ("make", "Make", "Such as Honda. Required."),
    ("model", "Model", "Such as Civic. Required."),
    ("trim", "Trim", "Such as EX-L."),
    ("price", "Price", "The price, such as 21995, $21,995 or 21.995 €. Required."),
    ("sale_price", "Sale price", "A lower price for now, if any."),
    ("mileage.value", "Mileage", "The odometer, such as 45,000 or 72.000 km."),
    ("mileage.unit", "Mileage unit", "MI or KM (else the header or your country decides)."),
    ("state_of_vehicle", "New, used or CPO", "new, used or cpo (certified pre-owned)."),
    ("exterior_color", "Exterior colour", "Such as Blue."),
    ("body_style", "Body style", "Such as Sedan, SUV, Truck."),
    ("url", "Vehicle page", "The vehicle's page on your website."),
    ("images", "Photos", "Photo URLs: one column each, or several in one cell split by | or ,."),
    ("description", "Description", "Text about the vehicle."),
    ("availability", "Availability", "available, pending or sold (available if empty)."),
]
FIELD_NAMES = [name for name, _label, _help in FIELDS]
LABELS = {name: label for name, label, _help in FIELDS}
REQUIRED = ("vin", "make", "model", "year", "price")

_ALIASES: dict[str, tuple[str, ...]] = {
    "vin": ("vin", "vinnumber", "vehicleidentificationnumber", "vinno"),
    "vehicle_id": ("vehicleid", "vehicle_id"),
    "stock_number": ("stock", "stocknumber", "stockno", "stocknum", "stockid"),
    "year": ("year", "modelyear", "yr", "vehicleyear"),
    "make": ("make", "brand", "manufacturer", "vehiclemake"),
    "model": ("model", "vehiclemodel", "modelname"),
    "trim": ("trim", "trimlevel", "series", "vehicletrim"),
    "price": (
        "price",
        "internetprice",
        "sellingprice",
        "askingprice",
        "listprice",
        "retailprice",
        "ourprice",
        "webprice",
    ),
    "sale_price": ("saleprice", "specialprice", "salesprice"),
    "mileage.value": (
        "mileagevalue",
        "mileage",
        "miles",
        "odometer",
        "odometerreading",
        "kilometers",
        "kilometres",
        "km",
        "kms",
    ),
    "mileage.unit": ("mileageunit", "odometerunit", "unit"),
    "state_of_vehicle": ("stateofvehicle", "condition", "newused", "newusedcpo"),
    "exterior_color": ("exteriorcolor", "exteriorcolour", "extcolor", "color", "colour"),
    "body_style": ("bodystyle", "body", "bodytype"),
    "url": ("url", "link", "vdp", "vdpurl", "vehicleurl", "detailurl", "detailsurl"),
    "images": (
        "images",
        "image",
        "imageurls",
        "imageurl",
        "imagelist",
        "photo",
        "photos",
        "photourls",
        "photourl",
        "pictures",
        "pictureurls",
    ),
    "description": ("description", "comments", "sellernotes", "dealercomments", "notes"),
    "availability": ("availability", "status"),
}
_BY_ALIAS = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
IMAGE_COLUMN = re.compile(r"^image\[(\d+)\]\.url$", re.IGNORECASE)
# A header that says the unit of the mileage column it names.
UNIT_HEADERS = {"miles": "MI", "kilometers": "KM", "kilometres": "KM", "km": "KM", "kms": "KM"}


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess(header: str) -> str:
    """Our field for a column header, or "" when we do not know it."""
    stripped = header.strip()
    if stripped.lower() in FIELD_NAMES:
        return stripped.lower()
    if IMAGE_COLUMN.match(stripped):
        return "images"
    return _BY_ALIAS.get(normalise(stripped), "")


def resolve(headers: list[str], saved: dict | None = None) -> list[str]:
    """Each header's field: the dealer's saved choice where there is one, else our guess."""
    saved = saved or {}
    fields = []
    for header in headers:
        chosen = saved.get(header)
        fields.append(chosen if chosen in FIELD_NAMES or chosen == "" else guess(header))
    return fields


_SPLIT_URLS = re.compile(r"\s*[|,;]\s*(?=https?://)|\s*\|\s*|\s+(?=https?://)")


def split_urls(cell: str) -> list[str]:
    """Several photo URLs in one cell, split by |, a comma (before http) or spaces."""
    return [url for url in _SPLIT_URLS.split(cell.strip()) if url]


@dataclass
class ColumnReport:
    """What a run's file had: its headers, what each became, a sample value of each."""

    headers: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)

    @property
    def ignored(self) -> list[str]:
        return [h for h, f in zip(self.headers, self.fields, strict=True) if not f and h.strip()]

    @property
    def mapping(self) -> dict[str, str]:
        return dict(zip(self.headers, self.fields, strict=True))

    def sample(self, header: str, value: str) -> None:
        if value and header not in self.samples:
            self.samples[header] = value[:120]


def missing_required(fields: list[str]) -> list[str]:
    return [name for name in REQUIRED if name not in fields]
