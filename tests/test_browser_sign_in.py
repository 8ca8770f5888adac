import pytest

from .factories import MediaContentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dealer_signs_in_and_sees_only_their_library(
    live_server, page, sign_in, sunrise, lakeside, sunrise_user
):
    MediaContentFactory(organization=sunrise, title="Sunrise truck month")
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    page.goto(f"{live_server.url}/marketing/media")
    assert "/accounts/login/" in page.url
    sign_in("sunrise", next_path="/marketing/media")
    assert page.url.endswith("/marketing/media")
    assert page.get_by_text("Sunrise truck month").is_visible()
    assert page.get_by_text("Lakeside lease deal").count() == 0
    page.get_by_role("button", name="Sign out sunrise").click()
    page.wait_for_url("**/accounts/login/")


def test_the_header_switcher_changes_dealership_and_says_so(
    live_server, page, sign_in, sunrise, lakeside, sunrise_user
):
    from .factories import MembershipFactory

    MembershipFactory(user=sunrise_user, organization=lakeside)
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    sign_in("sunrise", next_path="/marketing/calendar")
    status = page.locator(".messages")
    assert "You are acting for Sunrise Motors." in status.inner_text()

    page.get_by_label("Switch dealership").select_option(label="Lakeside Auto")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url("**/marketing/calendar")
    assert "You are now acting for Lakeside Auto." in status.inner_text()
    assert "Acting for Lakeside Auto" in page.locator(".dealership").inner_text()

    page.get_by_role("button", name="Sign out sunrise").click()
    page.wait_for_url("**/accounts/login/")
    sign_in("sunrise", next_path="/marketing/media")
    assert "Acting for Lakeside Auto" in page.locator(".dealership").inner_text()
    assert page.get_by_text("Lakeside lease deal").is_visible()


def test_a_locked_out_sign_in_is_told_in_words(live_server, page, sign_in, sunrise_user):
    for n in range(10):
        sign_in("sunrise", password=f"guess-{n}")
    sign_in("sunrise")
    assert page.get_by_role("heading", name="Signing in is paused").is_visible()
    assert "paused for 15 minutes" in page.get_by_role("alert").inner_text()
    page.get_by_role("link", name="Back to sign in").click()
    assert "/accounts/login/" in page.url
