"""Dragging banners in the admin, in a real Chromium, and the order surviving a reload."""

import pytest

from banners.models import Banner

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.banners.urls"),
]


def row_ids(page) -> list[int]:
    return [
        int(i)
        for i in page.locator("#result_list tbody tr[data-id]").evaluate_all(
            "rows => rows.map(r => r.dataset.id)"
        )
    ]


def drag(page, source_row, target_row, *, above: bool) -> None:
    """Press the row's handle, move over the target row's upper or lower part, release."""
    handle = source_row.locator(".sort-handle").bounding_box()
    target = target_row.bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    y = target["y"] + (target["height"] * (0.2 if above else 0.8))
    page.mouse.move(handle["x"] + handle["width"] / 2, y, steps=12)
    page.mouse.up()


def test_staff_drags_a_banner_and_the_order_is_kept(
    live_server, page, sign_in, sunrise, lakeside, sunrise_staff, make_banner
):
    a, b, c, d = (make_banner(sunrise, title=f"Offer {t}") for t in "ABCD")
    other = make_banner(lakeside, title="Lakeside offer")
    sign_in("sunrise-staff", next_path="/admin/")
    page.goto(f"{live_server.url}/admin/banners/banner/")
    page.wait_for_selector("tbody[data-sortable-ready]")
    assert row_ids(page) == [a.pk, b.pk, c.pk, d.pk]

    rows = page.locator("#result_list tbody tr")
    drag(page, rows.nth(3), rows.nth(0), above=True)  # D to the top
    assert row_ids(page) == [d.pk, a.pk, b.pk, c.pk]
    page.get_by_role("status").filter(has_text="Order saved.").wait_for()
    positions = page.locator("#result_list tbody td.field-sort_order").all_inner_texts()
    assert positions == ["0", "1", "2", "3"]

    page.reload()
    page.wait_for_selector("tbody[data-sortable-ready]")
    assert row_ids(page) == [d.pk, a.pk, b.pk, c.pk]
    order = list(
        Banner.objects.for_org(sunrise).order_by("sort_order").values_list("pk", flat=True)
    )
    assert order == [d.pk, a.pk, b.pk, c.pk]

    # Keyboard: the move-down button of the first row, pressed with Enter.
    page.get_by_role("button", name="Move “Offer D” down").focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Order saved.").wait_for()
    assert row_ids(page) == [a.pk, d.pk, b.pk, c.pk]
    page.reload()
    assert row_ids(page) == [a.pk, d.pk, b.pk, c.pk]

    # The endpoint of another dealership answers 404 to this staff user, from the page itself.
    status = page.evaluate(
        """async ([url, ids]) => {
            const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            const response = await fetch(url, {method: "POST", body: JSON.stringify(ids),
                headers: {"Content-Type": "application/json", "X-CSRFToken": token}});
            return response.status;
        }""",
        [f"/admin/banners/banner/reorder/{lakeside.pk}/", [other.pk]],
    )
    assert status == 404


def test_a_refused_save_puts_the_rows_back_and_says_why(
    live_server, page, sign_in, sunrise, sunrise_staff, make_banner
):
    a, b = make_banner(sunrise, title="Offer A"), make_banner(sunrise, title="Offer B")
    sign_in("sunrise-staff", next_path="/admin/")
    page.goto(f"{live_server.url}/admin/banners/banner/")
    page.wait_for_selector("tbody[data-sortable-ready]")
    b_pk = b.pk
    b.delete()  # deleted elsewhere meanwhile: the page's order now names a missing banner
    page.get_by_role("button", name="Move “Offer B” up").click()
    error = page.locator(".sortable-error")
    error.wait_for()
    assert "Reload the page" in error.inner_text()
    assert row_ids(page) == [a.pk, b_pk]
