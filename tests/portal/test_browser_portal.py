"""The portal in Debian's Chromium: what a dealer does every day, end to end.

Each test's last screen lands in test-artifacts/ (the ``page`` fixture).
"""

import base64
import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from banners.models import Banner
from media_content.models import Destination, MediaContent, ScheduledPost
from tests.factories import BannerFactory, MediaContentFactory, ScheduledPostFactory
from tests.media import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.ROOT_URLCONF = "tests.portal.urls"


@pytest.fixture
def signed_in(page, sign_in, live_server, sunrise_user):
    sign_in("sunrise", next_path="/marketing/media")
    page.wait_for_url("**/marketing/media")
    return page


def _with_thumbnail(item: MediaContent, color: str) -> MediaContent:
    item.lead_file.thumbnail.save("t.jpg", ContentFile(jpeg_bytes(96, 96, color)), save=True)
    return item


DROP_FILE = """
([b64, name, type]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const file = new File([bytes], name, { type });
  const data = new DataTransfer();
  data.items.add(file);
  const zone = document.getElementById("dropzone");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
  }
}
"""


def _drop(page, content: bytes, name: str, content_type: str) -> None:
    page.evaluate(DROP_FILE, [base64.b64encode(content).decode(), name, content_type])


def test_drop_an_image_and_see_its_preview(signed_in, live_server):
    page = signed_in
    assert page.get_by_text("Your library is empty.").is_visible()
    assert page.locator("#avail-facebook").inner_text() == "Sandbox"
    _drop(page, b"%PDF-1.4 a brochure", "brochure.pdf", "application/pdf")
    assert "is not a file we can post" in page.locator("#file-error").inner_text()
    assert page.locator("#preview").is_hidden()

    _drop(page, jpeg_bytes(640, 400, "orange"), "spring-sale.jpg", "image/jpeg")
    preview = page.locator("#preview-element")
    preview.wait_for()
    assert preview.get_attribute("src").startswith("blob:")
    assert page.evaluate("document.getElementById('preview-element').naturalWidth") == 640
    assert page.get_by_label("Title").first.input_value() == "spring-sale"
    assert page.locator("#preview-name").inner_text() == "spring-sale.jpg"
    assert page.locator("#file-error").inner_text() == ""

    page.get_by_label("Schedule for later").check()
    assert page.get_by_label("Date", exact=True).is_visible()
    assert "America/Los_Angeles" in page.locator("#tz-note").inner_text()
    # Nothing chosen to post to: the browser says so before sending anything.
    page.get_by_role("button", name="Upload and schedule").click()
    assert "Choose where to post it" in page.locator("#destinations-error").inner_text()
    assert "Pick the day" in page.locator("#scheduled_date-error").inner_text()


def test_choose_a_file_with_the_picker_then_another(signed_in, tmp_path):
    page = signed_in
    video = tmp_path / "walkaround.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2048)
    page.set_input_files("#id_media_file", str(video))
    page.locator("#preview-element").wait_for()
    assert page.evaluate("document.getElementById('preview-element').tagName") == "VIDEO"
    assert page.locator("#id_post_to_banner").is_disabled(), "videos cannot be banners"
    page.get_by_role("button", name="Choose another file").click()
    assert page.locator("#dropzone").is_visible()
    assert not page.locator("#id_post_to_banner").is_disabled()


def test_upload_and_schedule_then_find_it_in_the_library(signed_in, sunrise):
    page = signed_in
    _drop(page, jpeg_bytes(800, 600, "teal"), "lot.jpg", "image/jpeg")
    page.locator("#preview-element").wait_for()
    page.get_by_label("Title").first.fill("Saturday lot photo")
    page.get_by_label("Description").first.fill("Come see the lot this Saturday.")
    page.get_by_label("Facebook", exact=True).first.check()
    page.get_by_label("Website banner").first.check()
    page.get_by_label("Schedule for later").check()
    tomorrow = timezone.localdate(timezone=sunrise.tzinfo) + datetime.timedelta(days=1)
    page.get_by_label("Date", exact=True).fill(tomorrow.isoformat())
    page.get_by_label("Time", exact=True).fill("09:30")
    page.get_by_role("button", name="Upload and schedule").click()
    page.locator("#library .item-title", has_text="Saturday lot photo").wait_for()
    item = MediaContent.objects.get(title="Saturday lot photo")
    local = item.scheduled_post_time.astimezone(sunrise.tzinfo)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 9, 30)
    assert set(item.destinations) == {"facebook", "banner"}
    row = page.locator(f"#media-{item.pk}")
    assert "Facebook: Scheduled" in row.inner_text()
    page.wait_for_function(
        f"() => document.querySelector('#media-{item.pk} .thumb img')?.naturalWidth > 0",
        timeout=30_000,
    )


def test_a_40_mb_video_goes_through_tus_with_pause_and_resume(signed_in, big_video):
    page = signed_in
    video = big_video
    expected = hashlib.sha256(video.read_bytes()).hexdigest()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 5, "downloadThroughput": -1, "uploadThroughput": 8_000_000},
    )
    page.set_input_files("#id_media_file", str(video))
    page.get_by_label("Title").first.fill("Showroom tour")
    page.get_by_label("Save as draft").check()
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_function("() => document.getElementById('upload-progress').value >= 5")
    assert "MB/s" in page.locator("#progress-text").inner_text()
    page.get_by_role("button", name="Pause").click()
    paused_at = page.locator("#upload-progress").get_attribute("value")
    assert "Paused at" in page.locator("#progress-text").inner_text()
    page.wait_for_timeout(500)
    assert page.locator("#upload-progress").get_attribute("value") == paused_at
    page.get_by_role("button", name="Resume").click()
    page.locator("#library .item-title", has_text="Showroom tour").wait_for(timeout=60_000)
    item = MediaContent.objects.get(title="Showroom tour")
    with item.lead_file.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == expected


def test_edit_the_title_in_the_modal(signed_in, sunrise, live_server):
    page = signed_in
    item = _with_thumbnail(
        MediaContentFactory(organization=sunrise, title="Truck month", post_to_facebook=True),
        "green",
    )
    page.reload()
    row = page.locator(f"#media-{item.pk}")
    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").wait_for()
    assert dialog.get_by_label("Title").input_value() == "Truck month"
    assert dialog.get_by_label("Facebook", exact=True).is_checked()
    dialog.get_by_label("Title").fill("")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator('[data-error-for="title"]')).to_have_text("This field is required.")
    dialog.get_by_label("Title").fill("Truck month, extended")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    expect(row.locator(".item-title")).to_have_text("Truck month, extended")
    page.reload()
    assert page.locator(f"#media-{item.pk} .item-title").inner_text() == "Truck month, extended"
    assert (
        page.evaluate(
            f"document.querySelector('#media-{item.pk} .thumb img').getBoundingClientRect().width"
        )
        == 72
    )
    item.refresh_from_db()
    assert item.title == "Truck month, extended"


def test_delete_with_confirmation(signed_in, sunrise):
    page = signed_in
    keep = MediaContentFactory(organization=sunrise, title="Keep me")
    doomed = MediaContentFactory(organization=sunrise, title="Old flyer")
    page.reload()
    page.locator(f"#media-{doomed.pk}").get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    assert "“Old flyer” will be removed" in dialog.inner_text()
    dialog.get_by_role("button", name="Keep it").click()
    assert dialog.is_hidden()
    assert MediaContent.objects.filter(pk=doomed.pk).exists()

    page.locator(f"#media-{doomed.pk}").get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()
    page.get_by_text("Deleted “Old flyer”.").wait_for()
    assert page.locator(f"#media-{doomed.pk}").count() == 0
    assert page.locator(f"#media-{keep.pk}").is_visible()
    assert not MediaContent.objects.filter(pk=doomed.pk).exists()


def _banner_titles(page) -> list[str]:
    return page.locator("#banners-table tbody .banner-title").all_inner_texts()


def test_drag_a_banner_and_the_order_stays_after_reload(signed_in, sunrise, live_server):
    page = signed_in
    banners = [BannerFactory(organization=sunrise, title=f"Offer {n}") for n in range(3)]
    page.set_viewport_size({"width": 1280, "height": 1600})  # the whole table in view
    page.goto(f"{live_server.url}/marketing/banners")
    assert _banner_titles(page) == ["Offer 0", "Offer 1", "Offer 2"]
    with page.expect_response("**/marketing/banners/reorder") as answer:
        # Press the first row's handle, move below the middle of the last row, release.
        handle = page.locator(f"#banner-{banners[0].pk} .handle").bounding_box()
        target = page.locator(f"#banner-{banners[2].pk}").bounding_box()
        x = handle["x"] + handle["width"] / 2
        page.mouse.move(x, handle["y"] + handle["height"] / 2)
        page.mouse.down()
        page.mouse.move(x, target["y"] + target["height"] * 0.8, steps=12)
        page.mouse.up()
    assert answer.value.status == 200
    assert _banner_titles(page) == ["Offer 1", "Offer 2", "Offer 0"]
    page.reload()
    assert _banner_titles(page) == ["Offer 1", "Offer 2", "Offer 0"]

    # The keyboard does the same: focus a handle, press the up arrow.
    with page.expect_response("**/marketing/banners/reorder"):
        page.get_by_role("button", name="Move Offer 0").focus()
        page.keyboard.press("ArrowUp")
    page.reload()
    assert _banner_titles(page) == ["Offer 1", "Offer 0", "Offer 2"]
    order = Banner.objects.for_org(sunrise).order_by("sort_order").values_list("title", flat=True)
    assert list(order) == ["Offer 1", "Offer 0", "Offer 2"]


def test_banner_upload_toggle_and_dates(signed_in, sunrise, live_server, tmp_path):
    page = signed_in
    page.goto(f"{live_server.url}/marketing/banners")
    assert page.get_by_text("No banners yet.").is_visible()
    image = tmp_path / "wide.jpg"
    image.write_bytes(jpeg_bytes(1200, 400, "purple"))
    page.get_by_label("Image", exact=True).set_input_files(str(image))
    page.get_by_label("Title").first.fill("Spring event")
    page.get_by_label("Link").first.fill("/specials")
    page.get_by_label("First day").first.fill("2026-01-15")
    page.get_by_label("Last day").first.fill("2026-02-28")
    page.get_by_role("button", name="Add banner").click()
    page.get_by_text("Added “Spring event”").wait_for()
    row = page.locator("#banners-table tbody tr").first
    assert "Jan 15 - Feb 28" in row.inner_text()
    page.wait_for_function(
        "() => document.querySelector('#banners-table .thumb img').naturalWidth > 0"
    )
    row.get_by_role("switch").click()
    page.wait_for_load_state()
    assert page.locator("#banners-table").get_by_role("switch").get_attribute("aria-checked") == (
        "false"
    )
    assert Banner.objects.get(title="Spring event").is_active is False


def test_history_and_calendar(signed_in, sunrise, live_server):
    page = signed_in
    now = timezone.now()
    posted = _with_thumbnail(
        MediaContentFactory(organization=sunrise, title="Posted photo", description="Hello!"),
        "red",
    )
    ScheduledPostFactory(
        media_content=posted,
        status=ScheduledPost.Status.POSTED,
        posted_at=now,
        scheduled_time=now,
        external_id="1234_5678",
    )
    ScheduledPostFactory(
        media_content=posted,
        destination=Destination.INSTAGRAM,
        status=ScheduledPost.Status.FAILED,
        scheduled_time=now,
        last_error="Instagram needs a JPEG.",
    )
    later = MediaContentFactory(organization=sunrise, title="Planned video", media_type="video")
    ScheduledPostFactory(media_content=later, scheduled_time=now + datetime.timedelta(hours=2))

    page.goto(f"{live_server.url}/marketing/history")
    history = page.locator("#history")
    assert history.get_by_role("link", name="1234_5678").get_attribute("href") == (
        "https://www.facebook.com/1234_5678"
    )
    assert "Instagram needs a JPEG." in history.inner_text()
    page.get_by_label("Destination").select_option("instagram")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**destination=instagram**")
    assert page.locator("#history tbody tr").count() == 1

    page.goto(f"{live_server.url}/marketing/calendar")
    local_today = timezone.localdate(timezone=sunrise.tzinfo)
    day = page.locator(f'td[data-date="{now.astimezone(sunrise.tzinfo).date().isoformat()}"]')
    assert "Posted photo" in day.inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#calendar .thumb img')].some(i => i.naturalWidth > 0)"
    )
    page.get_by_role("link", name="Week").click()
    page.wait_for_url("**view=week**")
    assert page.locator("td[data-date]").count() == 7
    assert local_today.isoformat() in page.locator("td.today").get_attribute("data-date")


def test_another_dealership_sees_none_of_it(page, sign_in, live_server, sunrise, lakeside_user):
    item = MediaContentFactory(organization=sunrise, title="Sunrise secret sale")
    ScheduledPostFactory(media_content=item, scheduled_time=timezone.now())
    banner = BannerFactory(organization=sunrise, title="Sunrise banner")
    sign_in("lakeside", next_path="/marketing/media")
    assert "Lakeside Auto" in page.locator(".dealership").inner_text()
    for path in (
        "/marketing/media",
        "/marketing/banners",
        "/marketing/history",
        "/marketing/calendar",
    ):
        page.goto(f"{live_server.url}{path}")
        assert "Sunrise" not in page.locator("main").inner_text(), path
    assert page.goto(f"{live_server.url}/marketing/media/{item.pk}/get").status == 404
    answer = page.request.post(
        f"{live_server.url}/marketing/banners/{banner.pk}/delete",
        headers={"X-CSRFToken": page.evaluate("document.cookie.match(/csrftoken=([^;]+)/)[1]")},
    )
    assert answer.status == 404
    assert Banner.objects.filter(pk=banner.pk).exists()
    page.goto(f"{live_server.url}/marketing/media")


def test_library_fits_a_phone(browser, live_server, sunrise, sunrise_user, request):
    from tests.conftest import ARTIFACTS_DIR

    MediaContentFactory(
        organization=sunrise, title="A long title for a small screen", post_to_facebook=True
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/accounts/login/?next=/marketing/media")
        phone.get_by_label("Username").fill("sunrise")
        phone.get_by_label("Password").fill("pass-word-123")
        phone.get_by_role("button", name="Sign in").click()
        phone.wait_for_url("**/marketing/media")
        for path in (
            "/marketing/media",
            "/marketing/banners",
            "/marketing/history",
            "/marketing/calendar",
        ):
            phone.goto(f"{live_server.url}{path}")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
        phone.goto(f"{live_server.url}/marketing/media")
        # Keyboard: the skip link, then the drop zone's file input, are reachable with Tab.
        phone.keyboard.press("Tab")
        assert phone.evaluate("document.activeElement.textContent") == "Skip to content"
    finally:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS_DIR / "portal-library-phone.png"), full_page=True)
        context.close()
