"""The strict Content-Security-Policy in Debian's Chromium: every page works with no violation.

A ``securitypolicyviolation`` listener (added before any page script) and the console's
"Refused to ..." messages collect what the browser blocked, across the portal, the
admin, a dealer's website and /health/.
"""

import pytest
from django.core.files.base import ContentFile
from django_celery_beat.models import PeriodicTask

from banners.models import Banner
from dealer_media.periodic import setup_periodic_tasks
from media_content.models import MediaContent
from tests.factories import BannerFactory, MediaContentFactory
from tests.media import jpeg_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.portal.urls"),
]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


class PolicyWatch:
    """Visits pages, checks each carries the policy, and keeps every reported violation."""

    def __init__(self, page, live_server):
        self.page = page
        self.base = live_server.url
        self.violations: list[str] = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", self._console)
        # A script that stops half-way (say, a refused eval) is a broken page too.
        page.on("pageerror", lambda error: self.violations.append(f"{page.url}: {error}"))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self.violations.append(f"{self.page.url}: {message.text}")

    def goto(self, path: str) -> None:
        response = self.page.goto(f"{self.base}{path}")
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        self.page.wait_for_load_state("load")
        self.collect()

    def collect(self) -> None:
        found = self.page.evaluate("window.__cspViolations.splice(0)")
        self.violations += [f"{self.page.url}: {v}" for v in found]


@pytest.fixture
def watch(page, live_server):
    return PolicyWatch(page, live_server)


def _library_with_pictures(sunrise) -> list[MediaContent]:
    items = []
    for title, color in (("Truck month", "green"), ("Lease deal", "orange")):
        item = MediaContentFactory(organization=sunrise, title=title, post_to_facebook=True)
        item.lead_file.thumbnail.save("t.jpg", ContentFile(jpeg_bytes(96, 96, color)), save=True)
        items.append(item)
    BannerFactory(organization=sunrise, title="Spring event", link_url="/specials")
    BannerFactory(organization=sunrise, title="Service special", link_url="")
    return items


def test_the_collector_sees_what_the_policy_blocks(watch, sunrise):
    watch.goto("/site/sunrise-motors/")
    ran = watch.page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__injected = true"; document.head.append(s);
                   return window.__injected === true; }"""
    )
    watch.page.wait_for_timeout(100)
    watch.collect()
    assert ran is False
    assert any("script-src" in v for v in watch.violations), watch.violations


def test_portal_pages_run_with_no_violation(watch, sign_in, sunrise, sunrise_user, tmp_path):
    _library_with_pictures(sunrise)
    page = watch.page
    watch.goto("/accounts/login/?next=/marketing/media")
    sign_in("sunrise", next_path="/marketing/media")
    watch.collect()

    watch.goto("/marketing/media")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#library .thumb img')].every(i => i.naturalWidth > 0)"
    )
    # The upload flow's previews are object URLs: a picture (img-src blob:) and a video
    # (media-src blob:), then a small picture really uploaded (multipart).
    video = tmp_path / "walkaround.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2048)
    page.set_input_files("#id_media_file", str(video))
    page.locator("#preview-element").wait_for()
    page.get_by_role("button", name="Choose another file").click()
    picture = tmp_path / "lot.jpg"
    picture.write_bytes(jpeg_bytes(640, 400, "teal"))
    page.set_input_files("#id_media_file", str(picture))
    page.wait_for_function("() => document.getElementById('preview-element')?.naturalWidth === 640")
    page.get_by_label("Title").first.fill("Saturday lot photo")
    page.get_by_label("Save as draft").check()
    page.get_by_role("button", name="Save as draft").click()
    page.locator("#library .item-title", has_text="Saturday lot photo").wait_for()
    watch.collect()

    # The edit modal (JSON from /get, the item's picture).
    page.get_by_role("button", name="Edit Truck month").click()
    page.get_by_role("dialog").get_by_label("Title").wait_for()
    watch.collect()

    for path in (
        "/marketing/history",
        "/marketing/calendar",
        "/marketing/calendar?view=week",
        "/marketing/banners",
    ):
        watch.goto(path)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#banners-table .thumb img')].every(i => i.naturalWidth > 0)"
    )
    assert watch.violations == []


def test_admin_pages_run_with_no_violation(watch, sign_in, sunrise, superuser):
    item, _ = _library_with_pictures(sunrise)
    banner = Banner.objects.for_org(sunrise).first()
    setup_periodic_tasks()
    page = watch.page
    watch.goto("/admin/login/?next=/admin/")
    sign_in("root", next_path="/admin/")
    watch.collect()
    periodic = PeriodicTask.objects.exclude(name="celery.backend_cleanup").first()
    for path in (
        "/admin/",
        "/admin/media_content/mediacontent/",
        f"/admin/media_content/mediacontent/{item.pk}/change/",
        "/admin/media_content/mediacontent/add/",
        "/admin/banners/banner/",
        "/admin/django_celery_beat/periodictask/",
        f"/admin/django_celery_beat/periodictask/{periodic.pk}/change/",
        "/admin/auth/user/",
        f"/admin/auth/user/{superuser.pk}/change/",  # SelectFilter, password widget
        "/admin/tenancy/organization/",
        f"/admin/banners/banner/{banner.pk}/change/",  # date pickers
        "/admin/social/socialaccount/add/",
    ):
        watch.goto(path)
    # The admin's calendar pop-up (DateTimeShortcuts builds it and positions it from JS).
    watch.goto(f"/admin/banners/banner/{banner.pk}/change/")
    page.locator("#calendarlink0").click()
    page.locator("#calendarbox0").wait_for()
    watch.collect()
    watch.goto(f"/admin/banners/banner/?organization__id__exact={sunrise.pk}")
    page.wait_for_selector("tbody[data-sortable-ready]")
    # The drag and drop page's buttons save at once (fetch to 'self').
    page.get_by_role("button", name="Move “Spring event” down").click()
    page.get_by_role("status").filter(has_text="Order saved.").wait_for()
    watch.collect()
    assert watch.violations == []


def test_dealer_website_and_health_run_with_no_violation(watch, sunrise):
    _library_with_pictures(sunrise)
    watch.goto("/site/sunrise-motors/")
    watch.page.wait_for_selector("[data-banner-carousel][data-carousel-started]")
    watch.page.get_by_role("button", name="Next banner").click()
    watch.page.wait_for_function(
        "() => [...document.querySelectorAll('.banner-carousel__image')].some(i => i.naturalWidth > 0)"
    )
    watch.goto("/health/")
    assert watch.page.get_by_role("heading", name="All systems working").is_visible()
    assert watch.violations == []
    watch.goto("/site/sunrise-motors/")  # its styles moved to site-demo.css still apply
    assert watch.page.evaluate("getComputedStyle(document.body).margin") == "0px"
