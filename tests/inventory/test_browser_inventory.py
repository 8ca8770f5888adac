"""In a real browser: upload a feed file, then search and filter the inventory page."""

import pytest

from inventory import importing

from .conftest import as_csv, stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_then_filter_the_inventory(
    live_server, page, sign_in, sunrise, sunrise_user, tmp_path
):
    sign_in("sunrise", next_path="/marketing/inventory")
    assert "No vehicles yet" in page.locator("main").inner_text()
    page.get_by_role("link", name="Add your inventory feed").click()

    rows = stock(6)
    rows[0]["availability"] = "sold"
    feed = tmp_path / "stock.csv"
    feed.write_bytes(as_csv(rows))
    page.get_by_label("Feed file (CSV, TSV or XML)").set_input_files(str(feed))
    page.get_by_role("button", name="Import the file").click()
    assert "Imported 6 rows: 6 added" in page.locator(".messages").inner_text()
    assert "Uploaded file" in page.locator("#runs").inner_text()

    rows[2]["price"] = "19000 USD"  # vehicle 3: 23,000 → 19,000
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])

    page.get_by_role("link", name="Back to the inventory").click()
    assert (
        page.get_by_role("link", name="Inventory", exact=True).get_attribute("aria-current")
        == "page"
    )
    table = page.locator("#vehicles")
    assert table.locator("tbody tr").count() == 6
    dropped = table.locator("tbody tr", has_text="S0003")
    assert "USD 19,000" in dropped.inner_text() and "23,000" in dropped.inner_text()
    assert (
        dropped.locator(".price-before").evaluate("e => getComputedStyle(e).textDecorationLine")
        == "line-through"
    )

    page.get_by_label("Make").select_option("Honda")
    page.get_by_label("Status").select_option("available")
    page.get_by_role("button", name="Apply").click()
    names = table.locator("tbody tr .name").all_inner_texts()
    assert sorted(names) == ["2021 Honda Accord EX-L", "2023 Honda Accord EX-L"]
    assert page.get_by_label("Make").input_value() == "Honda"

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("searchbox", name="Search").fill("S0001")
    page.get_by_role("searchbox", name="Search").press("Enter")
    row = table.locator("tbody tr")
    assert row.count() == 1 and "Sold" in row.inner_text()
    link = row.get_by_role("link", name="View the 2019 Honda Accord on your site (opens a new tab)")
    assert link.get_attribute("href") == "https://www.sunrisemotors.example/cars/1"


def test_rule_settings_with_the_live_preview(live_server, page, sign_in, sunrise, sunrise_user):
    rows = stock(3)
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    rows[1]["price"] = "20000 USD"  # vehicle 2: 22,000 → 20,000
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    sign_in("sunrise", next_path="/marketing/inventory/settings")

    rule = page.locator("#rule-price_drop")
    caption = rule.get_by_label("Caption template")
    problems = rule.locator(".caption-problems")
    preview = rule.locator(".caption-preview-text")
    assert "Preview on the 2020 Toyota Camry" in rule.locator(".caption-preview").inner_text()

    caption.fill("Cut to {price} from {old_price}! {colour}")
    page.wait_for_function(
        "el => el.textContent.includes('is not a placeholder')", arg=problems.element_handle()
    )
    assert "“{colour}” is not a placeholder we know" in problems.inner_text()
    assert caption.get_attribute("aria-invalid") == "true"

    caption.fill("Cut to {price} from {old_price}! {year} {model} {url}")
    page.wait_for_function(
        "el => el.textContent.startsWith('Cut to $20,000')", arg=preview.element_handle()
    )
    assert problems.inner_text() == ""
    assert (
        "utm_source=facebook&utm_medium=social&utm_campaign=vehicle-S0002" in preview.inner_text()
    )

    rule.get_by_label("What it does").select_option("schedule")
    rule.get_by_label("Website banner").check()
    rule.get_by_label("Lowered by at least (amount)").fill("500")
    rule.get_by_role("button", name="Save the Price drop rule").click()
    assert "Saved the Price drop rule." in page.locator(".messages").inner_text()
    saved = page.locator("#rule-price_drop")
    assert saved.get_by_label("What it does").input_value() == "schedule"
    assert saved.get_by_label("Website banner").is_checked()
    assert saved.get_by_label("Caption template").input_value().startswith("Cut to {price}")

    page.get_by_label("Saturday").fill("11:00")
    page.get_by_role("button", name="Save posting times").click()
    assert "Saved the posting times." in page.locator(".messages").inner_text()
    assert page.get_by_label("Saturday").input_value() == "11:00"


def test_inventory_pages_pass_axe(live_server, page, sign_in, sunrise, sunrise_user):
    """The audit of tests/test_browser_accessibility.py (WCAG 2.1 AA) on both pages."""
    from tests.test_browser_accessibility import AxeAudit

    rows = stock(4)
    rows[0]["availability"] = "sold"
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    rows[1]["price"] = "20000 USD"
    rows[2]["vin"] = "BAD"
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    audit = AxeAudit(page, live_server.url)
    sign_in("sunrise", next_path="/marketing/inventory")
    for path in (
        "/marketing/inventory",
        "/marketing/inventory?make=Honda&availability=sold",
        "/marketing/inventory/settings",
    ):
        audit.goto(path)
    assert not audit.problems, audit.report()
