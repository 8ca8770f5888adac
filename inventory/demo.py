"""Demo vehicles for the seed_demo command (and the catalogs' golden files): a feed imported as a dealer's would be."""

from dealer_media.tenancy.models import Organization

from . import importing, sources
from .models import ImportRun

DEMO_FEED = (
    "Stock #,VIN,Year,Make,Model,Trim,Internet Price,Miles,Condition,Exterior Color,Body Style,"
    "URL,ImageURLs,Description\n"
    'S100,1HGCV1F34MA012344,2021,Honda,Civic,EX,"$21,995","18,400",used,Sonic Gray,Sedan,'
    "https://{host}/used/honda-civic-s100,"
    '"https://{host}/photos/s100-1.jpg|https://{host}/photos/s100-2.jpg",'
    '"One owner, “EX” package, ""like new"".\nNew tyres."\n'
    'S101,2T1BURHE0JC043823,2018,Toyota,Corolla,"LE, Plus","$15,250","52,000",cpo,Blue,Sedan,'
    "https://{host}/used/toyota-corolla-s101?ref=feed,"
    "https://{host}/photos/s101-1.jpg,\n"
    'S102,1FTEW1EP5MFA12347,2024,Ford,F-150,=HYPERLINK(1),"$48,900",,new,White,Truck,'
    "https://{host}/new/ford-f150-s102,https://{host}/photos/s102-1.jpg,-Crew cab\n"
    'S103,5YJ3E1EA7KF317000,2019,Tesla,Model 3,,"$29,500","41,000",used,,,,'
    ",No photo yet\n"
)


def seed_demo_inventory(*, organization: Organization) -> ImportRun:
    """Import the demo feed (again: the same feed changes nothing)."""
    host = (organization.site_host_names or [f"{organization.slug}.example"])[0]
    return importing.import_feed(
        organization=organization,
        chunks=[DEMO_FEED.replace("{host}", host).encode()],
        origin=ImportRun.Origin.UPLOAD,
        source=sources.source_for_upload(organization=organization),
    )
