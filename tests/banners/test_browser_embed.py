"""The script embed on a dealer's page from another origin, under a strict CSP, in Chromium.

The host page is served by a separate little HTTP server on another port, with a strict
Content-Security-Policy (our origin allowed for scripts, pictures and beacons; Trusted
Types required; no inline code) and a hostile stylesheet.
"""

import datetime
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from banners import embed_keys
from banners.models import BannerDailyCount

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.banners.urls"),
]

START = datetime.datetime(2026, 4, 15, 12, 0, tzinfo=datetime.UTC)
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
HOSTILE_CSS = """
* { font-size: 1px !important; color: red !important; box-sizing: content-box !important; }
div, section, img, button, a { display: none !important; width: 1px !important; }
img { visibility: hidden !important; }
.banner-carousel, .banner-carousel__slide, .banner-carousel__controls { display: none !important; }
dealer-media-carousel { display: none !important; }
"""
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


class HostSite:
    """A dealer's website on another origin: a page with our script tag, and a landing page."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        self.csp = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = urlsplit(self.path).path
                body = site.pages.get(path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                kind = "text/css" if path.endswith(".css") else "text/html; charset=utf-8"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                if kind.startswith("text/html"):
                    self.send_header("Content-Security-Policy", site.csp)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host_site():
    site = HostSite()
    yield site
    site.close()


def host_page(live_server, host_site, key: str) -> None:
    ours = live_server.url
    host_site.csp = (
        f"default-src 'none'; script-src {ours}; img-src {ours}; connect-src {ours}; "
        "style-src 'self'; require-trusted-types-for 'script'; base-uri 'none'"
    )
    host_site.pages["/hostile.css"] = HOSTILE_CSS
    host_site.pages["/"] = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sunrise Motors</title>
<link rel="stylesheet" href="/hostile.css"></head>
<body><h1>Sunrise Motors</h1>
<div data-dealer-media-carousel></div>
<p id="after">Our inventory</p>
<script src="{ours}/embed/{key}/carousel.js" async></script>
</body></html>"""
    host_site.pages["/landing.html"] = "<!doctype html><title>Trucks</title><h1>Trucks</h1>"


def counts(banner) -> tuple[int, int]:
    row = BannerDailyCount.objects.filter(banner=banner).first()
    return (row.impressions, row.clicks) if row else (0, 0)


def wait_for_counts(banner, expected, seconds=5.0):
    """The beacon is sent by the browser on its own; look until it has landed."""
    deadline = time.monotonic() + seconds
    while counts(banner) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return counts(banner)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, user_agent=UA)
    context.add_init_script(RECORD_VIOLATIONS)
    yield context
    context.close()


def test_script_embed_on_another_origin_under_a_strict_csp(
    live_server, host_site, context, sunrise, make_banner
):
    landing = f"{host_site.url}/landing.html"
    first = make_banner(sunrise, title="Truck <b>month</b>", link_url=f"{landing}?from=banner")
    second = make_banner(sunrise, title="Service special", link_url=landing)
    key = embed_keys.embed_key_for(organization=sunrise).public_key
    host_page(live_server, host_site, key)

    page = context.new_page()
    page.set_default_timeout(10_000)
    page.clock.install(time=START)
    page.clock.pause_at(START + datetime.timedelta(seconds=1))
    page.goto(f"{host_site.url}/")
    page.mouse.move(5, 5)
    carousel = page.locator("[data-banner-carousel]")  # inside the shadow root
    carousel.wait_for(state="attached")
    assert page.locator("dealer-media-carousel").count() == 1

    # The host's hostile styles reach neither the carousel nor its pictures and buttons.
    picture = page.locator(".banner-carousel__slide:not([hidden]) img")
    assert picture.get_attribute("alt") == "Truck <b>month</b>"  # text, never markup
    page.wait_for_function(
        "() => document.querySelector('dealer-media-carousel').shadowRoot"
        ".querySelector('img').complete"
    )
    box = picture.bounding_box()
    assert box["width"] > 600 and 0.3 < box["height"] / box["width"] < 0.4  # 1200 x 400
    assert page.get_by_role("button", name="Next banner").is_visible()
    assert page.locator("#after").bounding_box()["y"] > box["y"] + box["height"]

    # It rotates like the template tag's carousel.
    assert carousel.get_attribute("data-index") == "0"
    assert carousel.get_attribute("data-paused") == "false"
    page.clock.run_for(1_200)  # the first banner, visible for a second: one impression
    page.clock.run_for(3_900)  # 5 s: the second banner
    assert carousel.get_attribute("data-index") == "1"
    with page.expect_request(lambda r: r.url.endswith(f"/embed/{key}/events")) as sent:
        page.clock.run_for(1_100)  # the second banner's second; the batch goes out
        page.clock.run_for(3_000)
    assert sent.value.method == "POST"
    assert wait_for_counts(first, (1, 0)) == (1, 0)
    assert wait_for_counts(second, (1, 0)) == (1, 0)

    # Shown again in the same page view: not counted again.
    page.clock.run_for(5_000)
    assert carousel.get_attribute("data-index") == "0"
    page.clock.run_for(5_000)
    assert counts(first) == (1, 0) and counts(second) == (1, 0)

    assert page.evaluate("window.__violations") == []

    # A click goes through our redirect to the banner's link, with the UTM tags.
    page.get_by_role("button", name="Banner 1 of 2: Truck <b>month</b>").click()
    page.locator(".banner-carousel__slide:not([hidden]) a").click()
    page.wait_for_url(f"{landing}?*")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {
        "from": ["banner"],
        "utm_source": ["website"],
        "utm_medium": ["banner"],
        "utm_campaign": [f"banner-{first.pk}"],
    }
    assert counts(first) == (1, 1)


def test_a_rotated_key_stops_the_old_embed(live_server, host_site, context, sunrise, make_banner):
    banner = make_banner(sunrise, title="Truck month", link_url=f"{host_site.url}/landing.html")
    old = embed_keys.embed_key_for(organization=sunrise).public_key
    host_page(live_server, host_site, old)
    page = context.new_page()
    page.goto(f"{host_site.url}/")
    page.locator("[data-banner-carousel]").wait_for(state="attached")
    link = page.locator(".banner-carousel__slide a").get_attribute("href")

    embed_keys.embed_key_rotate(organization=sunrise)
    fresh = context.browser.new_context(user_agent=UA)  # no cached script
    try:
        other = fresh.new_page()
        requested = []
        other.on("request", lambda r: requested.append(r.url))
        other.goto(f"{host_site.url}/")
        other.wait_for_load_state("load")
        script = f"{live_server.url}/embed/{old}/carousel.js"
        assert script in requested  # asked for, and refused:
        assert fresh.request.get(script).status == 404
        assert other.locator("dealer-media-carousel").count() == 0
        assert other.get_by_role("heading", name="Sunrise Motors").is_visible()
    finally:
        fresh.close()
    # The old page's click goes nowhere and counts nothing.
    with page.expect_response(lambda r: r.url == link) as answer:
        page.locator(".banner-carousel__slide a").click()
    assert answer.value.status == 404
    assert counts(banner) == (0, 0)
