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
