"""The carousel on the demo homepage, in a real Chromium, on a controlled clock."""

import datetime

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.banners.urls"),
]

CAROUSEL = "[data-banner-carousel]"
START = datetime.datetime(2026, 4, 15, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def three_banners(sunrise, make_banner):
    return [
        make_banner(
            sunrise, title="Truck month", link_url="/site/sunrise-motors/?from=banner#offers"
        ),
        make_banner(sunrise, title="Service special", link_url=""),
        make_banner(sunrise, title="Lease deal", link_url="/site/sunrise-motors/?lease=1"),
    ]


def index(page) -> str:
    return page.locator(CAROUSEL).get_attribute("data-index")


def visible_title(page) -> str:
    return page.locator(".banner-carousel__slide:not([hidden]) img").get_attribute("alt")


def open_home(page, live_server):
    # A paused fake clock: the 5 second rotation is driven by the test, not waited for.
    page.clock.install(time=START)
    page.clock.pause_at(START + datetime.timedelta(seconds=1))
    page.goto(f"{live_server.url}/site/sunrise-motors/")
    page.wait_for_selector(f"{CAROUSEL}[data-carousel-started]")
    page.mouse.move(5, 5)  # the pointer starts away from the carousel


def test_carousel_rotates_and_is_driven_by_arrows_and_dots(live_server, page, three_banners):
    open_home(page, live_server)
    carousel = page.locator(CAROUSEL)
    assert index(page) == "0" and visible_title(page) == "Truck month"
    assert carousel.get_attribute("data-paused") == "false"
    # Only the first picture is requested at once; the others are lazy.
    lazy = page.locator(".banner-carousel__image[loading=lazy]")
    assert lazy.count() == 2

    page.clock.run_for(4_900)
    assert index(page) == "0"
    page.clock.run_for(200)  # 5 seconds: the default interval
    assert index(page) == "1" and visible_title(page) == "Service special"
    page.clock.run_for(5_000)
    assert index(page) == "2"
    page.clock.run_for(5_000)
    assert index(page) == "0"  # wraps around

    page.get_by_role("button", name="Next banner").click()
    assert index(page) == "1"
    page.get_by_role("button", name="Previous banner").click()
    page.get_by_role("button", name="Previous banner").click()
    assert index(page) == "2" and visible_title(page) == "Lease deal"
    dot = page.get_by_role("button", name="Banner 2 of 3: Service special")
    dot.click()
    assert index(page) == "1"
    assert dot.get_attribute("aria-current") == "true"
    assert page.locator("[data-carousel-dot][aria-current=true]").count() == 1

    # Keyboard: focus inside, arrow keys move; focus pauses the rotation.
    page.keyboard.press("ArrowRight")
    assert index(page) == "2"
    page.mouse.move(5, 5)
    assert carousel.get_attribute("data-paused") == "true"  # focus is still on the dot
    page.clock.run_for(20_000)
    assert index(page) == "2"
    page.locator("footer").click()  # focus leaves: rotation resumes
    assert carousel.get_attribute("data-paused") == "false"
    page.clock.run_for(5_000)
    assert index(page) == "0"


def test_hover_pauses_and_leaving_resumes(live_server, page, three_banners):
    open_home(page, live_server)
    carousel = page.locator(CAROUSEL)
    carousel.hover()
    assert carousel.get_attribute("data-paused") == "true"
    page.clock.run_for(30_000)
    assert index(page) == "0"
    page.mouse.move(5, 5)
    assert carousel.get_attribute("data-paused") == "false"
    page.clock.run_for(5_000)
    assert index(page) == "1"


def test_clicking_a_banner_follows_its_link(live_server, page, three_banners):
    open_home(page, live_server)
    page.locator(".banner-carousel__slide:not([hidden]) img").click()
    page.wait_for_url("**/site/sunrise-motors/?from=banner#offers")


def test_reduced_motion_never_rotates_by_itself(live_server, browser, three_banners):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    try:
        open_home(page, live_server)
        assert page.locator(CAROUSEL).get_attribute("data-paused") == "true"
        page.clock.run_for(60_000)
        assert index(page) == "0"
        page.get_by_role("button", name="Next banner").click()
        assert index(page) == "1"  # the visitor still can
    finally:
        context.close()


def test_stop_button_stops_rotation_for_good(live_server, page, three_banners):
    open_home(page, live_server)
    page.get_by_role("button", name="Stop rotating banners").click()
    page.locator("footer").click()
    page.clock.run_for(30_000)
    assert index(page) == "0"
    page.get_by_role("button", name="Start rotating banners").click()
    page.locator("footer").click()
    page.clock.run_for(5_000)
    assert index(page) == "1"


def test_no_banners_no_carousel(live_server, page, sunrise):
    page.goto(f"{live_server.url}/site/sunrise-motors/")
    assert page.get_by_text("No offers running today").is_visible()
    assert page.locator(CAROUSEL).count() == 0
