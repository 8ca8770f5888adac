"""A dealership's cast: an owner, an editor and a contributor of Sunrise, and Lakeside's owner."""

import pytest
from django.test import Client

from dealer_media.tenancy.models import Membership

from ..factories import MembershipFactory, UserFactory
from ..scheduling.conftest import counting  # noqa: F401  (the counting publisher, shared)

ROLES = ["owner", "editor", "contributor"]


@pytest.fixture
def team(sunrise):
    """``{"owner": user, "editor": user, "contributor": user}`` of Sunrise Motors."""
    return {
        role: MembershipFactory(
            organization=sunrise,
            role=role,
            user=UserFactory(username=f"sunrise-{role}", email=f"{role}@sunrise.example"),
        ).user
        for role in ROLES
    }


@pytest.fixture
def client_as(team):
    """A signed-in client for one role of Sunrise's team."""

    def _client(role: str) -> Client:
        client = Client()
        client.force_login(team[role])
        return client

    return _client


@pytest.fixture
def membership_of(team, sunrise):
    def _membership(role: str) -> Membership:
        return Membership.objects.get(user=team[role], organization=sunrise)

    return _membership
