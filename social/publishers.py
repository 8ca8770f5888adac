"""Publishers for Facebook and Instagram: one class per destination, chosen in settings.

``settings.PUBLISHERS`` maps a destination to a class path (like
EMAIL_BACKEND); ``SOCIAL_PUBLISHER`` chooses "graph" (these classes) or
"sandbox". Each ``publish(post, claim)`` runs under the post's claim (the interface:
publishing/publisher.py) and either answers a PublishResult or raises.
"""

import logging
import secrets

from media_content.models import ScheduledPost
from publishing.publisher import (
    Claim,
    PublishResult,
)

from . import services

# The classes settings.PUBLISHERS names ("social.publishers.FacebookPublisher"), whose
# code lives in facebook.py, instagram.py and graph_publisher.py.
from .facebook import FacebookPublisher
from .graph_publisher import GraphPublisher, to_publish_error
from .instagram import InstagramPublisher

logger = logging.getLogger(__name__)


class SandboxPublisher:
    """Records what would have been posted and answers made-up ids; nothing leaves the machine."""

    label = "sandbox"

    def publish(self, post: ScheduledPost, claim: Claim) -> PublishResult:
        self.claim = claim
        media = post.media_content
        record = {
            "sandbox": True,
            "destination": post.destination,
            "message": services.compose_message(media=media, network=post.destination)
            if media and post.destination in ("facebook", "instagram")
            else post.title,
            "media_url": media.media_url if media else "",
            "item_urls": [item.media_url for item in media.items()] if media else [],
        }
        self.claim.save_progress(**record)
        logger.info("Sandbox: post %s recorded for %s, nothing sent.", post.pk, post.destination)
        return PublishResult(
            external_id=f"sandbox_{secrets.token_hex(8)}",
            note="Sandbox: recorded, not sent to Meta.",
        )


__all__ = [
    "FacebookPublisher",
    "GraphPublisher",
    "InstagramPublisher",
    "SandboxPublisher",
    "to_publish_error",
]
