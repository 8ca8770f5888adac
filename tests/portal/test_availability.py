"""Destination badges of the upload form come from the dealership's social account."""

import pytest

from media_content.availability import destination_availability
from social.models import SocialAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph_publisher(settings):
    settings.SOCIAL_PUBLISHER = "graph"
    settings.FIELD_ENCRYPTION_KEY = "hPpZ8t2Y0K3xw6oQm3Xh2fW9cZ6sT1uV4yB7nE0aR5k="
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "social.publishers.FacebookPublisher",
        "instagram": "social.publishers.InstagramPublisher",
    }


def test_sandbox_publisher_is_a_usable_sandbox(sunrise):
    answer = destination_availability(organization=sunrise)
    assert list(answer) == ["facebook", "instagram", "banner"]
    facebook = answer["facebook"]
    assert (facebook.state, facebook.state_label, facebook.usable) == ("sandbox", "Sandbox", True)
    assert answer["banner"].usable


def test_without_an_account_social_destinations_are_not_configured(graph_publisher, sunrise):
    answer = destination_availability(organization=sunrise)
    assert (answer["facebook"].state, answer["facebook"].usable) == ("not_configured", False)
    assert answer["facebook"].state_label == "Not configured"
    assert "an owner can connect one on the Connections page" in answer["facebook"].reason
    assert answer["banner"].state == "connected"


def test_a_dead_token_says_reconnect(graph_publisher, sunrise):
    account = SocialAccount(
        organization=sunrise, page_id="111", status=SocialAccount.Status.NEEDS_RECONNECT
    )
    account.set_token("EAAB-not-a-real-token")
    account.save()
    answer = destination_availability(organization=sunrise)
    assert (answer["facebook"].state, answer["facebook"].usable) == ("needs_reconnect", False)
    assert answer["facebook"].state_label == "Needs reconnect"


def test_connected_page_with_local_media_keeps_instagram_off(graph_publisher, sunrise):
    account = SocialAccount(organization=sunrise, page_id="111", instagram_account_id="178")
    account.set_token("EAAB-not-a-real-token")
    account.save()
    answer = destination_availability(organization=sunrise)
    assert (answer["facebook"].state, answer["facebook"].usable) == ("connected", True)
    assert answer["instagram"].usable is False
    assert "cannot reach media stored on this server" in answer["instagram"].reason
