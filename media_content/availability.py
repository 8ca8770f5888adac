"""Can a destination be posted to: the badges and checkboxes of the composer.

The app that connects a destination answers for it (social answers for Facebook and
Instagram: connected, sandbox, needs reconnect) by registering its answers from its
``ready()``: posts sit below it and never import it. A destination nobody answers
for (the website banner) is always available.
"""

from collections.abc import Callable
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


StatesOf = Callable[[Organization], dict[str, dict]]
ProfileUrlsOf = Callable[[Organization], dict[str, str]]
ANSWERS: list[tuple[StatesOf, ProfileUrlsOf]] = []


def answer_for_destinations(*, states: StatesOf, profile_urls: ProfileUrlsOf) -> None:
    """Register how an app's destinations stand (``{"facebook": {"state", "reason"}}``)
    and where their profiles are; called once, from the app's ``ready()``."""
    if (states, profile_urls) not in ANSWERS:
        ANSWERS.append((states, profile_urls))


def destination_availability(*, organization: Organization) -> dict[str, Availability]:
    """One entry per destination, in the order the upload form shows them."""
    social: dict[str, dict] = {}
    for states, _profile_urls in ANSWERS:
        social.update(states(organization))
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
    urls: dict[str, str] = {}
    for _states, profile_urls in ANSWERS:
        urls.update(profile_urls(organization))
    return urls


def blocked_destinations(*, organization: Organization) -> dict[str, str]:
    """Destinations that cannot be posted to now, with the reason: their posts wait, flagged."""
    return {
        name: availability.reason or availability.state_label
        for name, availability in destination_availability(organization=organization).items()
        if not availability.usable
    }
