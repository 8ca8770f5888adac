"""What the portal asks the social publishing work: can a destination be posted to.

- :func:`destination_availability`: can a destination be posted to (badges and
  checkboxes of the upload form). The social publishing work answers for
  Facebook and Instagram (``social.selectors.destination_availability``); without
  it, the answer comes from ``settings.PUBLISHERS`` (sandbox when the publisher
  class is a sandbox).
"""

from dataclasses import dataclass

from django.conf import settings

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
REASONS = {
    NOT_CONFIGURED: "Not set up for this dealership yet; ask staff to connect it.",
    SANDBOX: "Sandbox: posts are recorded here and not sent.",
    CONNECTED: "",
    NEEDS_RECONNECT: "The connection expired; ask staff to reconnect it.",
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


def _social_answers(organization: Organization) -> dict[str, dict]:
    try:
        from social.selectors import destination_availability as social_availability
    except ImportError:  # the social publishing work is not installed
        return {}
    return social_availability(organization)


def _from_settings(destination: str) -> str:
    path = settings.PUBLISHERS.get(destination, "")
    if not path:
        return NOT_CONFIGURED
    if "Sandbox" in path.rsplit(".", 1)[-1]:
        return SANDBOX
    return CONNECTED


def destination_availability(*, organization: Organization) -> dict[str, Availability]:
    """One entry per destination, in the order the upload form shows them."""
    social = _social_answers(organization)
    result = {}
    for destination in Destination:
        answer = social.get(destination.value)
        if answer:
            state, reason = answer["state"], answer.get("reason", "")
        else:
            state = _from_settings(destination.value)
            reason = REASONS.get(state, "")
        result[destination.value] = Availability(
            destination=destination.value, label=destination.label, state=state, reason=reason
        )
    return result
