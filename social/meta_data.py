"""What Meta's callbacks change: a person removed our app, or asked us to delete their data."""

import hashlib
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import health
from .models import ConnectionAttempt, DataDeletionRequest, InstagramLogin, SocialAccount
from .signed_request import BadSignedRequest, parse

logger = logging.getLogger(__name__)

PROVIDERS = ("facebook", "instagram")


def verified_payload(*, provider: str, signed_request: str) -> dict:
    """The payload of a request Meta signed with this provider's app secret."""
    secret = (
        settings.FACEBOOK_APP_SECRET if provider == "facebook" else settings.INSTAGRAM_APP_SECRET
    )
    payload = parse(signed_request, secret=secret)
    if not payload.get("user_id"):
        raise BadSignedRequest("The signed_request names no user.")
    return payload


def _connections(*, provider: str, user_id: str):
    if provider == "facebook":
        return SocialAccount.objects.filter(facebook_user_id=user_id)
    return InstagramLogin.objects.filter(instagram_user_id=user_id)


def deauthorized(*, provider: str, user_id: str) -> int:
    """The person removed our app: their tokens are dead; say so, keep the rows for the owners."""
    count = 0
    reason = (
        f"The person who connected this account removed Dealer Media from their {provider.title()} "
        "apps, which ended the connection. An owner must connect it again."
    )
    for connection in _connections(provider=provider, user_id=user_id):
        with transaction.atomic():
            health.mark_needs_reconnect(connection=connection, reason=reason)
            type(connection).objects.filter(pk=connection.pk).update(token_encrypted="")
        count += 1
    logger.info("%s deauthorized: %d connection(s) of one person ended.", provider, count)
    return count


def delete_user_data(*, provider: str, user_id: str) -> DataDeletionRequest:
    """Delete the person's tokens and connection rows; the request row says what was done."""
    user_hash = hashlib.sha256(f"{provider}:{user_id}".encode()).hexdigest()
    with transaction.atomic():
        deletion = DataDeletionRequest.objects.create(
            provider=provider,
            confirmation_code=secrets.token_hex(8),
            user_hash=user_hash,
        )
        deleted, _ = _connections(provider=provider, user_id=user_id).delete()
        if provider == "facebook":
            ConnectionAttempt.objects.filter(facebook_user_id=user_id).delete()
        deletion.connections_deleted = deleted
        deletion.status = DataDeletionRequest.Status.COMPLETED
        deletion.completed_at = timezone.now()
        deletion.save()
    logger.info("Data deletion %s: %d row(s) deleted.", deletion.confirmation_code, deleted)
    return deletion
