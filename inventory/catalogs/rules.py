"""Each catalog's rules as data: its columns (headers as its specification spells them), what it requires, its limits, and where each rule comes from.

The same data drives the feed (which vehicles go in, which columns they carry)
and the Catalogs page (who is left out, and why, with each rule's source), and
tells an import which missing fields to report. Every ``source`` names the
specification a rule was read in; ``note`` says what it adds (a value list, a
"recommended" that we treat as required because the other Google surface
requires it, or a row the stored copy of the page did not show).
"""

from dataclasses import dataclass, field

META_REF = (
    "Meta, Automotive Inventory Ads – Catalogs and Feeds / Supported Feed Formats (vehicle fields)"
)
META_GRAPH_REF = "Meta Graph API, Product Catalog Vehicles (the vehicle's fields and values)"
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
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """A rule that is not a column's: a photo's size, the sold state."""

    text: str
    source: str


@dataclass(frozen=True)
class Catalog:
    key: str
    name: str
    short_name: str
    utm_source: str
    files: tuple[str, ...]
    columns: tuple[Column, ...]
    manager: str  # where the dealer adds the URL
    how_to_add: tuple[str, ...] = ()  # the steps there, in the manager's words
    max_images: int = 20
    min_photo_px: int = 0  # both sides of the first photo at least this, when we know its size
    sold_state: str = ""  # the availability value for a recently sold vehicle, if any
    limits: dict[str, int] = field(default_factory=dict)  # value key → most characters
    rules: tuple[Rule, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]


@dataclass(frozen=True)
class PhotoCopy:
    """Our display copy of a vehicle photo, for catalogs: a JPEG within every catalog's limits."""

    longest_side: int
    max_bytes: int
    why: str

    @property
    def spec(self) -> str:
        """Its rendition spec (library.processing.renditions), one per size."""
        return f"catalog-{self.longest_side}"


# Large enough for every catalog's minimum (TikTok: 500 by 500, ideally 800 by 600) and for
# Meta's and Google's full-width placements; small enough to fetch fast and stay far
# under the file sizes they accept. A JPEG without EXIF or GPS (an encoded copy).
PHOTO_COPY = PhotoCopy(
    longest_side=2048,
    max_bytes=8 * 1024 * 1024,
    why="At least 500 by 500 px (TikTok); a JPEG up to 2048 px on its longest side, under "
    "8 MB, without location data.",
)


ADDRESS_HEADERS = (
    "address.addr1",
    "address.city",
    "address.region",
    "address.postal_code",
    "address.country",
)


def _columns(rows, required: set[str], source, notes: dict[str, str] | None = None):
    notes = notes or {}
    return tuple(
        Column(h, v, h in required, source(h) if callable(source) else source, notes.get(h, ""))
        for h, v in rows
    )


def _meta_columns() -> tuple[Column, ...]:
    required = {
        "vehicle_id",
        "vin",
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
        *ADDRESS_HEADERS,
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
    notes = {
        "vin": "Exactly 17 characters.",
        "mileage.unit": "MI or KM.",
        "body_style": "CONVERTIBLE, COUPE, CROSSOVER, HATCHBACK, MINIVAN, TRUCK, SUV, SEDAN, "
        "VAN, WAGON or OTHER.",
        "state_of_vehicle": "NEW, USED or CPO.",
        "availability": "AVAILABLE, NOT_AVAILABLE or PENDING (a sold vehicle kept a few "
        "days is NOT_AVAILABLE).",
        "fb_page_id": "Needed only for Marketplace and ads that stay on Facebook; not for "
        "ads that lead to your site.",
        **dict.fromkeys(
            ADDRESS_HEADERS, "The vehicle's address (Meta requires one): your dealership's."
        ),
    }
    graph = {"availability", *ADDRESS_HEADERS}
    return _columns(pairs, required, lambda h: META_GRAPH_REF if h in graph else META_REF, notes)


def _google_columns() -> tuple[Column, ...]:
    listings = {
        "dealership_name",
        "dealership_address",
        "date_in_stock",
        "make",
        "exterior_color",
        "vehicle_msrp",
        "trim",
    }
    required = {
        "google_product_category",
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
        "make",
        "model",
        "year",
        "mileage",
        "color",
    }
    pairs = [
        ("vin", "vin"),
        ("id", "vehicle_id"),
        ("google_product_category", "google_product_category"),
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
    notes = {
        "google_product_category": "916: Vehicles & Parts > Vehicles > Motor Vehicles > "
        "Cars, Trucks & Vans.",
        "store_code": "As in your Business Profile (case-sensitive); it also stands in for "
        "vehicle_fulfillment (in store).",
        "image_link": "Required for vehicle ads; vehicle listings recommend it.",
        "link": "Required for vehicle ads; vehicle listings recommend it. UTM tags are permitted.",
        "condition": "new or used; a CPO vehicle is used with certified_pre_owned yes.",
        "mileage": "Required for used vehicles, with its unit (“18400 miles”); 0 for new.",
        "make": "Vehicle listings' name for the brand (vehicle ads read brand).",
        "trim": "Required where the vehicle has one.",
        "vehicle_msrp": "Recommended for new vehicles.",
    }
    return _columns(
        pairs,
        required,
        lambda h: GOOGLE_LISTINGS_REF if h in listings else GOOGLE_ADS_REF,
        notes,
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
    unseen = "Past the rows of the stored copy we read (it ends at vin); kept required."
    notes = {
        "mileage.value": "0 for a new vehicle.",
        "mileage.unit": "MI or KM.",
        "image_link": "At least 500 by 500 px; 800 by 600 is ideal.",
        "body_style": "CONVERTIBLE, COUPE, HATCHBACK, MINIVAN, TRUCK, SUV, SEDAN, VAN, "
        "WAGON, CROSSOVER, SMALL_CAR or OTHER.",
        "vin": "Optional; at most 17 characters.",
        "price": unseen,
        "state_of_vehicle": unseen,
    }
    return _columns(pairs, required, TIKTOK_REF, notes)


CATALOGS: dict[str, Catalog] = {
    "meta": Catalog(
        key="meta",
        name="Meta (Facebook and Instagram)",
        short_name="Meta",
        utm_source="meta",
        files=("meta.csv", "meta.xml"),
        columns=_meta_columns(),
        manager="Meta Commerce Manager",
        how_to_add=(
            "In Meta Commerce Manager, open your vehicles catalog (or create one: Catalog "
            "type “Vehicles”).",
            "Data sources → Add items → Data feed → “Use a URL”.",
            "Paste the CSV (or XML) URL and choose an hourly or daily schedule.",
        ),
        max_images=20,
        sold_state="NOT_AVAILABLE",
        limits={"title": 500, "description": 5000, "vehicle_id": 100},
        rules=(
            Rule(
                "A vehicle sold lately is listed as NOT_AVAILABLE (Meta has no “sold”).",
                META_GRAPH_REF,
            ),
            Rule("Up to 20 photos.", META_REF),
        ),
    ),
    "google": Catalog(
        key="google",
        name="Google (vehicle ads and vehicle listings)",
        short_name="Google",
        utm_source="google",
        files=("google.tsv",),
        columns=_google_columns(),
        manager="Google Merchant Center",
        how_to_add=(
            "In Google Merchant Center (vehicle ads or vehicle listings), open Products → "
            "Data sources → Add product source.",
            "Choose “Add products from a file”, then “Enter a link to your file”.",
            "Paste the TSV URL and have it fetched daily.",
        ),
        max_images=11,  # image_link and ten additional_image_link
        limits={"title": 150, "description": 5000, "vehicle_id": 50},
        rules=(Rule("Each VIN once in the feed.", GOOGLE_ADS_REF),),
    ),
    "tiktok": Catalog(
        key="tiktok",
        name="TikTok",
        short_name="TikTok",
        utm_source="tiktok",
        files=("tiktok.csv",),
        columns=_tiktok_columns(),
        manager="TikTok Ads Manager's catalog manager",
        how_to_add=(
            "In TikTok Ads Manager, open Assets → Catalogs and your automotive (inventory) "
            "catalog.",
            "Add products → Data feed (scheduled).",
            "Paste the CSV URL and choose how often it is read.",
        ),
        max_images=20,
        min_photo_px=500,
        limits={"title": 500, "description": 5000, "vehicle_id": 100},
        rules=(Rule("Photos at least 500 by 500 px.", TIKTOK_REF),),
    ),
}
FILES = {name: catalog for catalog in CATALOGS.values() for name in catalog.files}
