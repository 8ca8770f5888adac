"""Composing a post of several items in Debian's Chromium: select, drag into order, post."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from media_content import items as items_service
from media_content.models import MediaContent, ScheduledPost
from tests.factories import MediaContentFactory
from tests.media import jpeg_bytes
from tests.ops.test_browser_csp import PolicyWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.ROOT_URLCONF = "tests.portal.urls"


@pytest.fixture
def signed_in(page, sign_in, live_server, sunrise_user):
    sign_in("sunrise", next_path="/marketing/media")
    page.wait_for_url("**/marketing/media")
    return page


def _photo(sunrise, title: str, color: str) -> MediaContent:
    item = MediaContentFactory(organization=sunrise, title=title)
    item.lead_file.thumbnail.save("t.jpg", ContentFile(jpeg_bytes(96, 96, color)), save=True)
    return item


def _drag(page, row_locator, below_locator) -> None:
    """Press a row's handle, move below the middle of another row, release."""
    handle = row_locator.locator(".sort-handle").bounding_box()
    target = below_locator.bounding_box()
    x = handle["x"] + handle["width"] / 2
    page.mouse.move(x, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, target["y"] + target["height"] * 0.8, steps=12)
    page.mouse.up()


def _order(locator) -> list[str]:
    return locator.locator(".item-order-title").all_inner_texts()


def test_select_three_photos_drag_them_into_order_and_post_to_facebook(
    signed_in, sunrise, live_server
):
    page = signed_in
    front, side, interior = (
        _photo(sunrise, "Civic front", "red"),
        _photo(sunrise, "Civic side", "blue"),
        _photo(sunrise, "Civic interior", "green"),
    )
    watch = PolicyWatch(page, live_server)  # under the strict CSP, from the next load on
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.reload()
    together = page.get_by_role("button", name="Post together")
    assert together.is_disabled()
    for item in (front, side, interior):
        page.get_by_label(f"Select {item.title} to post together").check()
    assert "3 selected" in page.locator("#selection-count").inner_text()

    together.click()
    dialog = page.locator("#compose-dialog")
    items = dialog.locator("#compose-items")
    # The library lists newest first, so the ticked rows arrive in that order.
    assert _order(items) == ["Civic interior", "Civic side", "Civic front"]
    # Drag "Civic interior" below "Civic front": last; then "Civic front" up by keyboard.
    _drag(
        page,
        items.locator(f'[data-id="{interior.lead_file.pk}"]'),
        items.locator(f'[data-id="{front.lead_file.pk}"]'),
    )
    assert _order(items) == ["Civic side", "Civic front", "Civic interior"]
    items.get_by_role("button", name="Move Civic front up").click()
    assert _order(items) == ["Civic front", "Civic side", "Civic interior"]

    dialog.get_by_label("Title").fill("2021 Civic, one owner")
    dialog.get_by_label("Description").fill("Low miles, new tires.")
    dialog.get_by_label("Facebook", exact=True).check()
    dialog.get_by_label("Post now").check()
    with page.expect_response("**/marketing/media/compose") as answer:
        dialog.get_by_role("button", name="Post together").click()
    assert answer.value.status == 201
    page.wait_for_load_state()

    composed = MediaContent.objects.order_by("-pk").first()  # a new post
    front.refresh_from_db()
    assert front.title == "Civic front"  # composing never renames a photo or another post
    photos = [front.lead_file, side.lead_file, interior.lead_file]
    assert composed.files_in_order() == photos  # the stored order is the dragged one
    [post] = ScheduledPost.objects.filter(destination="facebook")
    assert post.media_content == composed  # one post for the three photos
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_state["item_urls"] == [front.media_url, side.media_url, interior.media_url]
    assert not ScheduledPost.objects.exclude(pk=post.pk).exists()

    # The edit modal shows the items in that order; a post that went out keeps them.
    page.locator(f"#media-{composed.pk}").get_by_role("button", name="Edit").click()
    edit_items = page.locator("#edit-items")
    edit_items.locator(".item-order-row").first.wait_for()
    assert _order(edit_items) == ["Civic front", "Civic side", "Civic interior"]
    with page.expect_response(f"**/marketing/media/{composed.pk}/items") as refused:
        edit_items.get_by_role("button", name="Remove Civic interior from this post").click()
    assert refused.value.status == 400
    expect(page.locator("#edit-items-status")).to_contain_text("its items stay as they were sent")
    expect(edit_items.locator(".item-order-row")).to_have_count(3)
    assert composed.files_in_order() == photos
    watch.collect()
    assert watch.violations == []


def test_reorder_a_scheduled_post_in_the_edit_modal(signed_in, sunrise, live_server):
    page = signed_in
    photos = [_photo(sunrise, f"Truck {n}", color) for n, color in enumerate(["red", "blue"])]
    lead = items_service.media_compose(
        organization=sunrise,
        item_ids=[p.lead_file.pk for p in photos],
        title="F-150 weekend",
        destinations=["facebook"],
        when=timezone.now() + datetime.timedelta(days=1),
    )
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.reload()
    page.locator(f"#media-{lead.pk}").get_by_role("button", name="Edit").click()
    edit_items = page.locator("#edit-items")
    edit_items.locator(".item-order-row").first.wait_for()
    assert _order(edit_items) == ["Truck 0", "Truck 1"]
    with page.expect_response(f"**/marketing/media/{lead.pk}/items") as saved:
        _drag(
            page,
            edit_items.locator(f'[data-id="{photos[0].lead_file.pk}"]'),
            edit_items.locator(f'[data-id="{photos[1].lead_file.pk}"]'),
        )
    assert saved.value.status == 200
    page.wait_for_load_state()
    lead.refresh_from_db()
    assert lead.files_in_order() == [photos[1].lead_file, photos[0].lead_file]
    assert lead.title == "F-150 weekend"
    [pending] = ScheduledPost.objects.filter(status=ScheduledPost.Status.PENDING)
    assert pending.media_content == lead  # the same post, at its time


def test_compose_a_post_of_several_items_with_per_network_text_and_its_preview(
    signed_in, sunrise, live_server
):
    page = signed_in
    front, side = _photo(sunrise, "Civic front", "red"), _photo(sunrise, "Civic side", "blue")
    watch = PolicyWatch(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.reload()
    for item in (front, side):
        page.get_by_label(f"Select {item.title} to post together").check()
    page.get_by_role("button", name="Post together").click()
    dialog = page.locator("#compose-dialog")
    items = dialog.locator("#compose-items")
    # Newest first: "Civic side" leads; move "Civic front" up so that it leads.
    items.get_by_role("button", name="Move Civic front up").click()
    assert _order(items) == ["Civic front", "Civic side"]

    dialog.get_by_label("Title").fill("2021 Civic, one owner")
    caption = (
        "Our 2021 Civic is in: one owner, low miles, new tires and a full service history. " * 2
    )
    caption += "See it at https://sunrise.example/civic #civic"
    dialog.get_by_label("Instagram caption").fill(caption)
    ig_preview = dialog.locator('[data-preview-for="instagram"]')
    expect(ig_preview.locator("[data-preview-shown]")).to_have_text(caption[:125] + "…")
    expect(ig_preview.get_by_role("button", name="more")).to_be_visible()
    expect(ig_preview.locator("[data-link-hint]")).to_contain_text("link in bio")
    expect(dialog.locator('[data-count-for="instagram"]')).to_have_text(
        f"{len(caption)} / 2,200 characters · 1 / 30 hashtags · 0 / 20 @-mentions"
    )
    # The preview shows the post's first item: the one the dealer put first.
    expect(ig_preview.locator("img[data-preview-media]")).to_have_attribute(
        "src", front.thumbnail_url
    )
    dialog.get_by_label("Facebook text").fill("2021 Civic, one owner: come drive it.")
    expect(dialog.locator('[data-preview-for="facebook"] [data-preview-text]')).to_have_text(
        "2021 Civic, one owner: come drive it."
    )
    watch.collect()  # before the save reloads the page
    assert watch.violations == []
    dialog.get_by_label("Facebook", exact=True).check()
    dialog.get_by_label("Save as draft").check()
    with page.expect_response("**/marketing/media/compose") as answer:
        dialog.get_by_role("button", name="Post together").click()
    assert answer.value.status == 201
    page.wait_for_load_state()

    composed = MediaContent.objects.order_by("-pk").first()  # a new post
    assert composed.files_in_order() == [front.lead_file, side.lead_file]
    assert (composed.instagram_caption, composed.facebook_caption) == (
        caption,
        "2021 Civic, one owner: come drive it.",
    )
