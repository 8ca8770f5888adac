"""In Chromium, as a dealer: the Catalogs page and the column mapper, their words, the states in
between (a catalog with vehicles left out and why, a kept file whose columns need mapping, a held
run, a mapping to confirm), on a desktop and on a phone (390 by 844), with axe-core (WCAG 2.1 AA).
"""

import pytest

from dealer_media.tenancy.models import Membership
from inventory.catalogs import tokens
from inventory.demo import seed_demo_inventory
from tests.conftest import ARTIFACTS_DIR
from tests.test_browser_accessibility import AxeAudit

from .conftest import as_csv, make_vin, stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}

# A DMS export whose price column is "Cost": the file is kept until the dealer maps it.
DMS = (
    "Stock #,VIN,Year,Make,Model,Cost,Odometer,Photo\n"
    f'A1,{make_vin(1)},2021,Honda,Civic,"$21,995","45,000",https://cdn.example/a1.jpg\n'
    f'A2,{make_vin(2)},2019,Toyota,Camry,"$18,500","61,000",https://cdn.example/a2.jpg\n'
    f'A3,{make_vin(3)},2020,Ford,Focus,"$12,000","60,000",https://cdn.example/a3.jpg\n'
)


@pytest.fixture(autouse=True)
def _no_photo_fetching(settings):
    """No photo is fetched: the demo's photo hosts are not on this machine."""
    settings.INVENTORY_FETCH_PHOTOS = False


@pytest.fixture
def dealership(sunrise, sunrise_user):
    Membership.objects.filter(user=sunrise_user).update(role="owner")
    sunrise.street_address, sunrise.city, sunrise.region = "1 Main St", "Springfield", "CA"
    sunrise.postal_code, sunrise.country, sunrise.store_code = "94045", "US", "SUN-1"
    sunrise.save()
    return sunrise


def _sign_in(page, base: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill("sunrise")
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")


def _fits(page, where: str) -> list[str]:
    """What makes a phone scroll sideways, or reads too small (under 14 px), in words."""
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where}: {width} px wide on a {PHONE['width']} px phone")
    small = page.evaluate(
        """() => [...document.querySelectorAll('main p, main li, main td, main th, main label')]
            .filter(e => e.offsetParent && parseFloat(getComputedStyle(e).fontSize) < 14)
            .filter(e => !e.closest('.visually-hidden, thead'))  // phones: headers become labels
            .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40))"""
    )
    problems += [f"{where}: small text: {text}" for text in small]
    return problems


def test_the_catalogs_page_as_a_dealer(browser, live_server, dealership):
    assert seed_demo_inventory(organization=dealership).status == "done"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    audit = AxeAudit(page, live_server.url)
    try:
        _sign_in(page, live_server.url, "/marketing/catalogs")
        audit.goto("/marketing/catalogs")
        meta = page.locator("#catalog-meta-section")
        assert "3 vehicles in, 1 left out (why)." in meta.locator(".catalog-count").inner_text()
        assert meta.get_by_role("heading", name="Left out (1)").is_visible()
        row = meta.get_by_role("row", name="2019 Tesla Model 3")
        assert row.get_by_role("cell").inner_text() == (
            "No link to its page on your site, no photo, no body style, no exterior colour"
        )
        assert row.get_by_role("link", name="2019 Tesla Model 3").get_attribute("href") == (
            "/marketing/inventory?q=S103"
        )
        assert "Not read yet" in meta.locator(".catalog-url-row").first.inner_text()

        # Copy the CSV URL, as it would go into Meta Commerce Manager.
        url = meta.get_by_label("CSV file").input_value()
        assert url.startswith(f"{live_server.url}/catalog/") and url.endswith("/meta.csv")
        meta.get_by_role("button", name="Copy the CSV URL of Meta (Facebook and Instagram)").click()
        page.wait_for_selector("#toast:not([hidden])")
        assert page.locator("#toast").inner_text().startswith("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == url

        # Meta reads it; the page says when.
        fetched = page.request.get(url, headers={"User-Agent": "facebookexternalhit/1.1"})
        assert fetched.ok and "2021 Honda Civic EX" in fetched.text()
        page.reload()
        assert "Last read" in meta.locator(".catalog-url-row").first.inner_text()

        # Each catalog's rules, with their sources.
        meta.get_by_text("What Meta (Facebook and Instagram) requires").click()
        address = meta.get_by_role("row", name="address.addr1")
        assert "Meta Graph API" in address.inner_text()
        page.locator("#catalog-tiktok-section").get_by_text("What TikTok requires").click()
        assert (
            "Photos at least 500 by 500 px." in page.locator("#catalog-tiktok-section").inner_text()
        )
        audit.check("/marketing/catalogs, the rules open")

        # Our copies of the photos: chosen, and said to come as the photos arrive.
        page.get_by_label("Our copies of them").check()
        page.get_by_role("button", name="Save what the catalogs carry").click()
        assert "Saved what the catalogs carry." in page.locator(".messages").inner_text()
        assert (
            "Our copies are made as your photos arrive"
            in page.locator("#copies-progress").inner_text()
        )

        # No street address: Meta lists nobody, and the page says why and where to fix it.
        page.get_by_label("Street address").fill("")
        page.get_by_role("button", name="Save the address and store code").click()
        assert page.locator("#catalog-problems").is_visible()
        assert "every vehicle is left out until your settings have your street address" in (
            meta.locator(".catalog-count").inner_text()
        )
        assert (
            "3 vehicles in" in page.locator("#catalog-tiktok-section .catalog-count").inner_text()
        )
        audit.check("/marketing/catalogs, no address")
        page.get_by_label("Street address").fill("1 Main St")
        page.get_by_role("button", name="Save the address and store code").click()

        # New URLs: asked twice, and the old one stops at once.
        page.get_by_text("Make new catalog URLs").click()
        page.get_by_role("button", name="Make new URLs now").click()
        assert "the old ones answer “not found”" in page.locator(".messages").inner_text()
        assert page.request.get(url).status == 404
        assert meta.get_by_label("CSV file").input_value() != url
        assert not audit.problems, audit.report()
    finally:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS_DIR / "catalogs-desktop.png"), full_page=True)
        context.close()


def test_the_column_mapper_a_kept_file_and_a_held_run(page, live_server, dealership, tmp_path):
    audit = AxeAudit(page, live_server.url)
    _sign_in(page, live_server.url, "/marketing/inventory/settings")

    # A DMS export without a column we read as the price: kept, and the mapper asks.
    dms = tmp_path / "dms-export.csv"
    dms.write_text(DMS)
    page.get_by_label("Feed file (CSV, TSV or XML)").set_input_files(str(dms))
    page.get_by_role("button", name="Import the file").click()
    page.wait_for_url("**/marketing/inventory/settings#columns")
    assert "We kept “dms-export.csv”" in page.locator(".messages").inner_text()
    kept = page.locator(".kept-upload")
    assert "“dms-export.csv” waits to be imported. None of its columns is read as Price yet" in (
        kept.inner_text()
    )
    mapper = page.locator("#column-mapper")
    assert mapper.get_by_label("Stock #").input_value() == "stock_number"
    assert mapper.get_by_label("Odometer").input_value() == "mileage.value"
    assert mapper.get_by_label("Cost").input_value() == ""  # ignored, for now
    assert "$21,995" in mapper.get_by_role("row", name="Cost").inner_text()
    audit.check("/marketing/inventory/settings, a kept file to map")

    mapper.get_by_label("Cost").select_option(label="Price")
    page.get_by_role("button", name="Save and import “dms-export.csv”").click()
    assert "Imported 3 rows: 3 added" in page.locator(".messages").inner_text()
    assert not page.locator(".kept-upload").count()
    assert "Your file's columns are new to us" not in page.locator("#columns").inner_text()

    # A partial file said to list every vehicle: held, shown at the top and in its run.
    partial = tmp_path / "partial.csv"
    partial.write_text(DMS.split("\n", 2)[0] + "\n" + DMS.split("\n")[1] + "\n")
    page.get_by_label("Feed file (CSV, TSV or XML)").set_input_files(str(partial))
    page.get_by_label("This file lists every vehicle in stock").check()
    page.get_by_role("button", name="Import the file").click()
    notice = page.locator(".held-notice")
    assert (
        "An import waits for you. 2 of your 3 vehicles are not in the file" in notice.inner_text()
    )
    run = page.locator("#runs tbody tr").first
    assert "Waiting for you" in run.inner_text()
    assert run.get_by_role("button", name="Mark 2 vehicles sold").is_visible()
    audit.check("/marketing/inventory/settings, a held run")
    notice.get_by_role("link", name="Mark them sold, or keep them in stock").click()
    run.get_by_role("button", name="Keep them in stock").click()
    assert "Kept every vehicle in stock" in page.locator(".messages").inner_text()
    assert not page.locator(".held-notice").count()

    # New columns: read, and the mapper asks to check them.
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(DMS.replace("Cost", "Internet Price").replace("Odometer", "Kms"))
    page.get_by_label("Feed file (CSV, TSV or XML)").set_input_files(str(renamed))
    page.get_by_role("button", name="Import the file").click()
    assert "Your file's columns are new to us" in page.locator("#columns").inner_text()
    assert page.locator("#column-mapper").get_by_label("Kms").input_value() == "mileage.value"
    audit.check("/marketing/inventory/settings, columns to confirm")

    # A broken file: the page again, with the error at the field.
    empty = tmp_path / "empty.csv"
    empty.write_text("vin,year,make,model,price\n")
    page.get_by_label("Feed file (CSV, TSV or XML)").set_input_files(str(empty))
    page.get_by_role("button", name="Import the file").click()
    summary = page.locator("#upload .error-summary")
    assert summary.inner_text() == "Nothing was changed: The feed lists no vehicles."
    assert page.get_by_label("Feed file (CSV, TSV or XML)").get_attribute("aria-invalid") == "true"
    audit.check("/marketing/inventory/settings, a broken file")
    assert not audit.problems, audit.report()


def test_both_pages_fit_a_phone(browser, live_server, dealership, tmp_path):
    from inventory import importing
    from inventory.models import ImportRun

    seed_demo_inventory(organization=dealership)
    importing.import_feed(  # held: 2 of 6 listed
        organization=dealership,
        chunks=[as_csv(stock(2))],
        origin=ImportRun.Origin.UPLOAD,
        complete=True,
    )
    feed = tokens.feed_for(organization=dealership)
    feed.photos = "library"
    feed.save()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    audit = AxeAudit(page, live_server.url)
    problems: list[str] = []
    try:
        _sign_in(page, live_server.url, "/marketing/inventory/settings")
        dms = tmp_path / "dms-export.csv"
        dms.write_text(DMS)
        page.get_by_label("Feed file (CSV, TSV or XML)").set_input_files(str(dms))
        page.get_by_role("button", name="Import the file").click()
        page.wait_for_url("**#columns")
        for path in ("/marketing/inventory/settings", "/marketing/catalogs"):
            audit.goto(path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            problems += _fits(page, path)
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            name = path.strip("/").replace("/", "-")
            page.screenshot(path=str(ARTIFACTS_DIR / f"{name}-phone.png"), full_page=True)
            audit.check(f"{path} on a phone, all open")
        copy = page.get_by_role("button", name="Copy the CSV URL of Meta (Facebook and Instagram)")
        box = copy.bounding_box()
        assert box and box["x"] + box["width"] <= PHONE["width"]  # in reach, not off screen
        assert not problems, "\n".join(problems)
        assert not audit.problems, audit.report()
    finally:
        context.close()
