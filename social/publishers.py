"""Publishers for Facebook and Instagram."""

import secrets

from media_content.models import ScheduledPost
from media_content.publishing import PublishResult


class SandboxPublisher:
    """Records what would have been posted and answers made-up ids; nothing leaves the machine."""

    label = "sandbox"

    def publish(self, post: ScheduledPost) -> PublishResult:
        fake_id = f"sandbox_{secrets.token_hex(8)}"
        return PublishResult(external_id=fake_id)
