"""axe-core (WCAG 2.1 A and AA) on every page a person sees: none may have a violation.

axe-core comes from npm (package.json, beside tus-js-client) and is found through
``node_modules/axe-core/axe.min.js`` (read by the tests only; never served). The pages' strict Content-Security-Policy
refuses inline scripts, so Playwright's ``add_script_tag`` (an inline script) cannot
add it; the file is evaluated through the DevTools protocol instead, which a page's
policy does not govern. The policy is not loosened for the tests.

Four browser sessions: the pages without a sign-in (sign-in, password reset, an
invitation, a preview link, the demo site, the embed), a dealer's portal, connecting
Facebook (the Page picker, against the fake Meta of tests/social), and the admin.
"""

import datetime
from functools import cache

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from banners import embed_keys
from dealer_media.tenancy.models import Invitation, Membership
from dealer_media.tenancy.team import invitation_token
from media_content.models import Destination, MediaContent, ScheduledPost
from media_content.previews import preview_link_create, preview_token
from tests.banners.test_browser_embed import HostSite
from tests.factories import BannerFactory, MediaContentFactory, ScheduledPostFactory
from tests.media import jpeg_bytes
from tests.social import conftest as social_fixtures

AXE_PATH = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.portal.urls"),  # uploaded media served, so thumbnails load
]

# The fake Meta's fixtures (dialogs, tokens, Graph), for the Page picker.
fake_meta = social_fixtures.fake_meta
public_media = social_fixtures.public_media
encryption_key = social_fixtures.encryption_key

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return {
    passes: result.passes.length,
    violations: result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(" > "),
        summary: n.failureSummary.replace(/\\s+/g, " "),
      })),
    })),
  };
}"""


@cache
def axe_source() -> str:
    path = AXE_PATH if AXE_PATH.exists() else None
    assert path, "run `make setup` (npm ci) to install axe-core"
    with open(path, encoding="utf-8") as script:
        return script.read()


class AxeAudit:
    """Runs axe-core on pages of one browser page and keeps every violation, in words."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base = base_url
        self.problems: list[str] = []

    def goto(self, path: str, *, ready: str | None = None, whole_page: bool = True) -> None:
        url = path if path.startswith("http") else f"{self.base}{path}"
        response = self.page.goto(url)
        assert response.ok, f"{path} answered {response.status}"
        self.page.wait_for_load_state("load")
        if ready:
            self.page.wait_for_selector(ready)
        if whole_page:  # not the iframe's page, a part of the dealer's page
            # One main heading (axe's page-has-heading-one is a best practice, not WCAG).
            if self.page.locator("h1").count() != 1:
                self.problems.append(f"{path}: the page needs one <h1>")
            if url.startswith(self.base) and not self.page.locator("link[rel=icon]").count():
                self.problems.append(f"{path}: the page links no icon")
        self.check(path)

    def check(self, where: str) -> None:
        """axe on the page as it is now (after a goto, or after opening a dialog)."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(axe_source())
        result = self.page.evaluate(RUN_AXE, WCAG_21_AA)
        assert result["passes"], f"axe checked nothing on {where}"
        for violation in result["violations"]:
            for node in violation["nodes"]:
                self.problems.append(
                    f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
                    f" at `{node['target']}`: {node['summary']}"
                )

    def report(self) -> str:
        return f"{len(self.problems)} accessibility problems:\n" + "\n".join(self.problems)


def _library(sunrise) -> MediaContent:
    """Items with pictures and posts in the states the pages show, and two banners."""
    now = timezone.now()
    first = None
    for title, color in (("Truck month", "green"), ("Lease deal", "orange")):
        item = MediaContentFactory(
            organization=sunrise,
            title=title,
            post_to_facebook=True,
            status=MediaContent.Status.SCHEDULED,
            scheduled_post_time=now + datetime.timedelta(hours=2),
        )
        item.lead_file.thumbnail.save("t.jpg", ContentFile(jpeg_bytes(96, 96, color)), save=True)
        ScheduledPostFactory(
            media_content=item,
            destination=Destination.FACEBOOK,
            scheduled_time=item.scheduled_post_time,
        )
        first = first or item
    failed = MediaContentFactory(organization=sunrise, title="Service special")
    ScheduledPostFactory(
        media_content=failed,
        destination=Destination.FACEBOOK,
        status=ScheduledPost.Status.FAILED,
        scheduled_time=now - datetime.timedelta(days=1),
        last_error="Facebook refused the token: reconnect the page.",
    )
    BannerFactory(organization=sunrise, title="Spring event", link_url="/specials")
    BannerFactory(organization=sunrise, title="Service special", link_url="")
    return first


def _host_page(host: HostSite, ours: str, key: str) -> None:
    """A dealer's page on another origin with the script embed, under a strict policy."""
    host.csp = (
        f"default-src 'none'; script-src {ours}; img-src {ours}; connect-src {ours}; "
        "style-src 'self'; base-uri 'none'"
    )
    host.pages["/"] = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sunrise Motors</title></head>
<body><main><h1>Sunrise Motors</h1>
<div data-dealer-media-carousel></div>
<p>Our inventory</p></main>
<script src="{ours}/embed/{key}/carousel.js" async></script>
</body></html>"""


def test_pages_without_a_sign_in(page, live_server, sunrise, sunrise_user):
    item = _library(sunrise)
    owner = Membership.objects.get(user=sunrise_user)
    invitation = Invitation.objects.create(
        organization=sunrise,
        email="sam@sunrise.example",
        role=Membership.Role.CONTRIBUTOR,
        nonce="a" * 32,
        sent_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    link = preview_link_create(by=owner, media=item)
    key = embed_keys.embed_key_for(organization=sunrise).public_key
    audit = AxeAudit(page, live_server.url)

    audit.goto("/accounts/login/")
    audit.goto("/accounts/password_reset/")
    audit.goto("/accounts/password_reset/done/")
    audit.goto(f"/accounts/invitation/{invitation_token(invitation)}")
    audit.goto(f"/preview/{preview_token(link)}")
    audit.goto("/health/")
    carousel = "[data-banner-carousel][data-carousel-started]"
    audit.goto("/site/sunrise-motors/", ready=carousel)
    audit.goto(f"/embed/{key}/carousel.html", ready=carousel, whole_page=False)
    host = HostSite()
    try:
        _host_page(host, live_server.url, key)
        audit.goto(f"{host.url}/", ready=f"dealer-media-carousel {carousel}")
    finally:
        host.close()
    assert not audit.problems, audit.report()


def test_portal_pages(page, live_server, sign_in, sunrise, sunrise_user, tmp_path):
    item = _library(sunrise)
    audit = AxeAudit(page, live_server.url)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    sign_in("sunrise", next_path="/marketing/media")

    audit.goto("/marketing/media", ready="#library")
    # Choosing a file by keyboard: the drop zone (and the focused input in it) is hidden,
    # so focus moves to the chosen file, and the status line names it.
    page.focus("#id_media_file")
    picture = tmp_path / "lot.jpg"
    picture.write_bytes(jpeg_bytes(640, 400, "teal"))
    page.set_input_files("#id_media_file", str(picture))
    page.wait_for_function("() => document.getElementById('preview-element')?.naturalWidth === 640")
    assert page.evaluate("document.activeElement.id") == "preview"
    assert page.get_by_role("group", name="Chosen file").is_visible()
    assert page.locator("#file-status").text_content().startswith("Chosen: “lot.jpg”, ")
    assert page.locator("#file-status").get_attribute("role") == "status"
    audit.check("/marketing/media, a file chosen")
    # tus-js-client is for files over 8 MB only: a visit and a small file never load it.
    assert [url for url in scripts if "vendor/tus" in url] == []
    assert page.evaluate("typeof window.tus") == "undefined"
    page.get_by_role("button", name="Choose another file").click()
    assert page.evaluate("document.activeElement.id") == "id_media_file"
    assert page.locator("#file-status").text_content() == ""

    page.get_by_role("button", name="Edit Truck month").click()
    page.get_by_role("dialog").get_by_label("Title").wait_for()
    audit.check("/marketing/media, the edit dialog")

    for path in (
        "/marketing/calendar",
        "/marketing/calendar?view=month&date=2026-04-15",  # days of March and May shown
        "/marketing/calendar?view=week",
        "/marketing/history",
        "/marketing/banners",
        "/marketing/connections",
        "/marketing/team",
        f"/marketing/media/{item.pk}/approval",
    ):
        audit.goto(path)
    assert not audit.problems, audit.report()


def test_connecting_facebook(page, live_server, sign_in, sunrise, sunrise_user, fake_meta):
    fake_meta.redirect_uris.add(f"{live_server.url}/marketing/connections/facebook/callback")
    audit = AxeAudit(page, live_server.url)
    sign_in("sunrise", next_path="/marketing/connections")
    audit.goto("/marketing/connections")  # a real app: Connect buttons, not the sandbox
    page.get_by_role("button", name="Connect Facebook").click()
    page.wait_for_url(f"{fake_meta.url}/**")  # Meta's consent page is not ours to check
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url("**/marketing/connections/facebook/pages")
    audit.check("/marketing/connections/facebook/pages")
    page.get_by_label("Sunrise Motors").check()
    page.get_by_role("button", name="Connect this Page").click()
    page.wait_for_url("**/marketing/connections")
    audit.check("/marketing/connections, connected")
    assert not audit.problems, audit.report()


def test_admin_pages(page, live_server, sign_in, sunrise, superuser):
    _library(sunrise)
    audit = AxeAudit(page, live_server.url)
    sign_in("root", next_path="/admin/")
    for path in (
        "/admin/",
        "/admin/banners/banner/",
        f"/admin/banners/banner/?organization__id__exact={sunrise.pk}",  # with the move buttons
        "/admin/media_content/mediacontent/",
    ):
        audit.goto(path)
    assert not audit.problems, audit.report()
