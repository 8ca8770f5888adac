"""The email that asks a dealership's owners about a held import (the sold guard)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from social.notifications import owner_emails

from .models import ImportRun

logger = logging.getLogger(__name__)


def held_run_email(*, run_id: int) -> bool:
    """Tell the owners a fetched feed would mark many vehicles sold; answers whether sent."""
    run = ImportRun.objects.select_related("organization").filter(pk=run_id).first()
    if run is None or run.status != ImportRun.Status.HELD:
        return False
    recipients = owner_emails(organization_id=run.organization_id)
    if not recipients:
        logger.warning("No owner with an email to ask about held import %s.", run.pk)
        return False
    dealership = run.organization.name
    link = settings.PORTAL_URL.rstrip("/") + reverse("inventory:settings") + f"#run-{run.pk}"
    send_mail(
        subject=f"{dealership}: confirm {run.held_sold} vehicles sold?",
        message=(
            f"The inventory feed of {dealership} fetched just now lists {run.rows_read} rows; "
            f"{run.held_sold} of the {run.stock_before} vehicles in stock are not in it.\n\n"
            "That is more than a third of the stock, which is more often a partial or broken "
            "feed than a weekend of sales, so they were not marked sold and no “Sold” post was "
            "made. Everything else in the feed was imported.\n\n"
            f"Confirm or refuse the sales here:\n{link}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
    logger.info("Asked %d owner(s) about held import %s.", len(recipients), run.pk)
    return True
