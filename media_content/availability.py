"""What the portal asks the social publishing work: can a destination be posted to.

- :func:`destination_availability`: can a destination be posted to (badges and
  checkboxes of the upload form). Facebook and Instagram are answered by
  ``social.selectors.destination_availability`` (account connected, sandbox,
  needs reconnect); the website banner is always available.
"""

from dataclasses import dataclass

from dealer_media.tenancy.models import Organization

from .models import Destination

CONNECTED = "connected"
NOT_CONFIGURED = "not_configured"
SANDBOX = "sandbox"
NEEDS_RECONNECT = "needs_reconnect"

LABELS = {
    CONNECTED: "Configured",
    NOT_CONFIGURED: "Not configured",
    SANDBOX: "Sandbox",
    NEEDS_RECONNECT: "Needs reconnect",
}


@dataclass(frozen=True)
class Availability:
    destination: str
    label: str
    state: str
    reason: str = ""

    @property
    def state_label(self) -> str:
        return LABELS.get(self.state, self.state.replace("_", " ").capitalize())

    @property
    def usable(self) -> bool:
        """Sandbox counts: it records the post, which is what a demo or a test wants."""
        return self.state in (CONNECTED, SANDBOX)


def destination_availability(*, organization: Organization) -> dict[str, Availability]:
    """One entry per destination, in the order the upload form shows them."""
    from social.selectors import destination_availability as social_availability

    social = social_availability(organization)
    result = {}
    for destination in Destination:
        # The website is always ours to post to; Facebook and Instagram depend on the account.
        answer = social.get(destination.value, {"state": CONNECTED})
        state, reason = answer["state"], answer.get("reason", "")
        result[destination.value] = Availability(
            destination=destination.value, label=destination.label, state=state, reason=reason
        )
    return result


def destination_profile_urls(*, organization: Organization) -> dict[str, str]:
    """Where the dealer checks a post whose outcome is unknown: their Page, their profile."""
    from social.selectors import profile_urls

    return profile_urls(organization)


def blocked_destinations(*, organization: Organization) -> dict[str, str]:
    """Destinations that cannot be posted to now, with the reason: their posts wait, flagged."""
    return {
        name: availability.reason or availability.state_label
        for name, availability in destination_availability(organization=organization).items()
        if not availability.usable
    }
