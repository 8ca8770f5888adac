"""Destination badges: from settings.PUBLISHERS, or from the social work's selector when present."""

import sys
import types

import pytest

from media_content.availability import destination_availability

pytestmark = pytest.mark.django_db


def test_badges_from_publishers_setting(sunrise, settings):
    settings.PUBLISHERS = {
        "facebook": "social.publishers.FacebookPublisher",
        "instagram": "",
        "banner": "banners.publisher.BannerPublisher",
    }
    answer = destination_availability(organization=sunrise)
    assert list(answer) == ["facebook", "instagram", "banner"]
    assert (answer["facebook"].state, answer["facebook"].usable) == ("connected", True)
    assert (answer["instagram"].state, answer["instagram"].usable) == ("not_configured", False)
    assert answer["instagram"].state_label == "Not configured"


def test_sandbox_publisher_is_a_usable_sandbox(sunrise, settings):
    settings.PUBLISHERS = {**settings.PUBLISHERS, "facebook": "social.publishers.SandboxPublisher"}
    facebook = destination_availability(organization=sunrise)["facebook"]
    assert (facebook.state, facebook.state_label, facebook.usable) == ("sandbox", "Sandbox", True)


def test_the_social_selector_answers_when_installed(sunrise, monkeypatch):
    """The social work's ``destination_availability(organization)`` contract, as documented."""
    asked = []

    def social_availability(organization):
        asked.append(organization)
        return {
            "facebook": {"state": "needs_reconnect", "enabled": False, "reason": "Token expired."},
            "instagram": {"state": "connected", "enabled": True, "reason": ""},
        }

    module = types.ModuleType("social.selectors")
    module.destination_availability = social_availability
    monkeypatch.setitem(sys.modules, "social.selectors", module)
    answer = destination_availability(organization=sunrise)
    assert asked == [sunrise]
    assert (answer["facebook"].state, answer["facebook"].reason) == (
        "needs_reconnect",
        "Token expired.",
    )
    assert answer["facebook"].usable is False
    assert answer["instagram"].usable is True
    assert answer["banner"].state == "connected", "the banner is not the social work's to answer"
