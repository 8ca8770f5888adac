"""Whether each destination can be posted to, for the portal's badges.

A stand-in the social publishing work replaces with its own selector (accounts
connected, tokens valid): until then the answer comes from ``settings.PUBLISHERS``.
The portal calls only :func:`destination_availability`, so swapping is one import.
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


@dataclass(frozen=True)
class Availability:
    destination: str
    label: str
    state: str

    @property
    def state_label(self) -> str:
        return LABELS[self.state]

    @property
    def usable(self) -> bool:
        """Sandbox counts: it records the post, which is what a demo or a test wants."""
        return self.state in (CONNECTED, SANDBOX)


def destination_availability(*, organization: Organization) -> dict[str, Availability]:
    """One entry per destination, in the order the upload form shows them."""
    result = {}
    for destination in Destination:
        path = settings.PUBLISHERS.get(destination.value, "")
        if not path:
            state = NOT_CONFIGURED
        elif "Sandbox" in path.rsplit(".", 1)[-1]:
            state = SANDBOX
        else:
            state = CONNECTED
        result[destination.value] = Availability(
            destination=destination.value, label=destination.label, state=state
        )
    return result
