"""The email that tells a dealership's owners a connection must be made again: once per incident."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from dealer_media.tenancy.models import Membership

from .models import InstagramLogin, MetaConnection, SocialAccount

logger = logging.getLogger(__name__)


def owner_emails(*, organization_id: int) -> list[str]:
    rows = Membership.objects.filter(
        organization_id=organization_id, role=Membership.Role.OWNER, user__is_active=True
    ).exclude(user__email="")
    return sorted(set(rows.values_list("user__email", flat=True)))


def email_reconnect_needed(*, kind: str, connection_id: int) -> bool:
    """Email the owners about this incident, unless done already; answers whether sent.

    ``notified_at`` is claimed by a conditional UPDATE first, so a message delivered
    twice, or two workers, send one email. Reconnecting clears it for the next incident.
    """
    model = InstagramLogin if kind == "instagram" else SocialAccount
    claimed = model.objects.filter(
        pk=connection_id, status=MetaConnection.Status.NEEDS_RECONNECT, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if not claimed:
        return False
    connection = model.objects.select_related("organization").get(pk=connection_id)
    recipients = owner_emails(organization_id=connection.organization_id)
    if not recipients:
        logger.warning("No owner with an email to tell that %r needs reconnecting.", connection)
        return False
    network = "Instagram" if kind == "instagram" else "Facebook"
    link = settings.PORTAL_URL.rstrip("/") + reverse("social:connections")
    dealership = connection.organization.name
    send_mail(
        subject=f"{dealership}: reconnect {network} to keep posting",
        message=(
            f"Dealer Media can no longer post to {connection} for {dealership}.\n\n"
            f"Why: {connection.last_error}\n\n"
            "Posts scheduled there will not go out until it is reconnected; nothing was "
            f"cancelled. An owner of the dealership can reconnect it here:\n{link}\n\n"
            "You get this email once for this problem, not once per post."
        ),
        from_email=None,
        recipient_list=recipients,
    )
    logger.info("Told %d owner(s) that %r needs reconnecting.", len(recipients), connection)
    return True
