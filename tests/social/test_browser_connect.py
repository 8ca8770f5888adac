"""In Debian's Chromium: an owner connects the Page through the fake Meta's dialog, then posts.

The browser really leaves for the fake Meta (another origin), ticks nothing but
presses Allow, comes back to the Page picker, and the post then goes out
through the fake Graph API with the Page token the connection stored.
"""

import pytest
from playwright.sync_api import expect

from media_content.lifecycle import media_publish_now
from social.models import SocialAccount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def at_connections(page, sign_in, live_server, fake_meta, owner):
    fake_meta.redirect_uris.add(f"{live_server.url}/marketing/connections/facebook/callback")
    sign_in("dana", next_path="/marketing/connections")
    page.wait_for_url("**/marketing/connections")
    return page


def test_connect_facebook_in_a_browser_then_a_post_goes_out(
    at_connections, live_server, fake_meta, sunrise, photo
):
    page = at_connections
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    expect(page.get_by_text("Not connected.").first).to_be_visible()
    page.get_by_role("button", name="Connect Facebook").click()

    # Meta's consent page, on the fake's own origin.
    page.wait_for_url(f"{fake_meta.url}/**")
    expect(page.get_by_text("Dealer Media is requesting access")).to_be_visible()
    expect(page.get_by_label("Sunrise Motors")).to_be_checked()
    page.get_by_role("button", name="Allow").click()

    # Back on our Page picker.
    expect(page).to_have_url(f"{live_server.url}/marketing/connections/facebook/pages")
    expect(page.get_by_text("Instagram @sunrisemotors")).to_be_visible()
    expect(page.get_by_label("Fan page (read only)")).to_be_disabled()
    page.get_by_label("Sunrise Motors").check()
    page.get_by_role("button", name="Connect this Page").click()

    page.wait_for_url("**/marketing/connections")
    expect(
        page.get_by_text("Connected: Sunrise Motors, Instagram @sunrisemotors").first
    ).to_be_visible()
    expect(page.get_by_role("button", name="Disconnect Facebook")).to_be_visible()
    assert refused == []

    account = SocialAccount.objects.get(organization=sunrise)
    photo.post_to_instagram = False
    photo.save()
    [post] = media_publish_now(media=photo)
    post.refresh_from_db()
    assert post.status == "posted", post.last_error
    [sent] = fake_meta.calls("POST", "/111/photos")
    assert sent.authorization == f"Bearer {account.get_token()}"
    [(edge, photo_id)] = fake_meta.published  # Meta made it public, once
    assert edge == "photos" and post.external_id == f"111_{photo_id}"

    page.goto(f"{live_server.url}/marketing/media")
    expect(page.get_by_text("Facebook: Posted").first).to_be_visible()
