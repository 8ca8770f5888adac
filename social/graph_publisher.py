"""What the Facebook and Instagram publishers share: the account, its client, Meta's errors.

``to_publish_error`` turns a classified Graph error (``social.errors``) into the
publishing outcome it calls for: retry, wait, fail, unconfirmed, or the account
marked for reconnecting.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings

from media_content.models import ScheduledPost
from publishing.publisher import (
    Claim,
    Gate,
    PublishError,
    PublishInProgress,
    PublishResult,
    PublishUnconfirmed,
)

from . import health, limits, services
from .crypto import TokenUnreadable
from .first_comment import send_first_comment
from .graph import GraphClient, GraphError, Kind
from .models import InstagramLogin, MetaConnection, SocialAccount

# A file Meta could not fetch (9004 / 2207052) is tried this many more times, then fails naming the host.
MEDIA_FETCH_MAX_RETRIES = 2

# A temporary block (368) gets one long wait, then the post fails.
BLOCKED_WAIT_SECONDS = 6 * 3600.0

logger = logging.getLogger(__name__)


def to_publish_error(
    error: GraphError, *, account: SocialAccount, network: str = "Facebook", media_url: str = ""
) -> Exception:
    """Map a classified Graph error onto the publishing outcome it calls for."""
    if error.kind in (Kind.TOKEN, Kind.PERMISSION):
        # Meta's #200 reads the same for a Page token lacking a permission and for a User
        # token: debug_token tells which, and names it.
        reason = ""
        if error.kind == Kind.PERMISSION and isinstance(account, SocialAccount):
            reason = health.check_page(account=account)
        if not reason:
            reason = health.reconnect_reason(error, connection=account)
            health.mark_needs_reconnect(connection=account, reason=reason)
        return PublishError(f"{reason} {error.suffix}".strip(), permanent=True)
    if error.kind == Kind.DAILY_LIMIT:
        return PublishError(
            error.message,
            permanent=False,
            retry_after=max(error.retry_after or 0, settings.SOCIAL_DAILY_LIMIT_WAIT_SECONDS),
            retry_budget=("retries_daily_limit", settings.SOCIAL_DAILY_LIMIT_MAX_WAITS),
        )
    if error.kind == Kind.POLICY:
        return PublishError(
            error.message,
            permanent=False,
            retry_after=max(error.retry_after or 0, BLOCKED_WAIT_SECONDS),
            retry_budget=("retries_blocked", 1),
        )
    if error.kind == Kind.MEDIA_UNREACHABLE:
        host = urlsplit(media_url).hostname or "our file host"
        words = (
            f"{network} could not download the file from {host}. Check that {host} is "
            "reachable from the internet."
        )
        return PublishError(
            error.describe(words),
            permanent=False,
            retry_after=error.retry_after,
            retry_budget=("retries_media_fetch", MEDIA_FETCH_MAX_RETRIES),
        )
    if error.retryable:
        return PublishError(
            error.message,
            permanent=False,
            retry_after=error.retry_after,
            unavailable=error.kind == Kind.TRANSIENT,
        )
    if error.kind == Kind.UNKNOWN_OUTCOME:
        return PublishUnconfirmed(error.message, unavailable=True)
    if error.kind == Kind.NOT_READY:
        return PublishInProgress(error.message, check_after=settings.SOCIAL_STATUS_CHECK_SECONDS)
    return PublishError(error.message, permanent=True)


class GraphPublisher:
    """What Facebook and Instagram share: the account, its client, and error mapping."""

    label = "graph"
    destination_name = "Facebook"
    gate_words = "this Page"  # what its breaker and rate limits concern, in the dealer's words

    def gates_for(self, post: ScheduledPost) -> list[Gate]:
        """The post's Page or account's gate, and the app's (``limits``); none if unconnected."""
        account = self.connection(post.organization_id)
        if account is None:
            return []
        return limits.gates_for(
            object_id=self.gate_object_id(account),
            network=self.destination_name,
            what=self.gate_words,
            instagram_login=isinstance(account, InstagramLogin),
        )

    def gate_object_id(self, account: MetaConnection) -> str:
        """The Meta id whose limits and failures a post of this destination meets."""
        return account.page_id

    def publish(self, post: ScheduledPost, claim: Claim) -> PublishResult:
        self.claim = claim
        media = post.media_content
        if media is None:
            raise PublishError("The media item was deleted before it could be published.")
        account = self.usable_account(post.organization_id)
        try:
            client = GraphClient(
                account.get_token(),
                network=self.destination_name,
                instagram_login=isinstance(account, InstagramLogin),
                account_gate=limits.object_key(self.gate_object_id(account)),
            )
        except TokenUnreadable as error:
            health.mark_needs_reconnect(connection=account, reason=str(error))
            raise PublishError(str(error)) from None
        try:
            return self.run(post, media, account, client)
        except GraphError as error:
            raise to_publish_error(
                error,
                account=account,
                network=self.destination_name,
                media_url=services.public_media_url(media=media) or "",
            ) from None

    def usable_account(self, organization_id: int) -> MetaConnection:
        """The connection posts of this destination go through, checked if stale; or why not."""
        account = self.connection(organization_id)
        if account is None or not account.has_token:
            raise PublishError(
                f"No {self.destination_name} account is connected for this dealership; an "
                "owner can connect one on the Connections page."
            )
        if account.status == MetaConnection.Status.DISABLED:
            raise PublishError(
                f"Posting to {self.destination_name} is turned off for this dealership."
            )
        if account.status == MetaConnection.Status.NEEDS_RECONNECT:
            raise PublishError(
                f"Nothing can be posted to {self.destination_name} until {health.what(account)} "
                f"is reconnected on the Connections page. {account.last_error}".strip()
            )
        if account.token_expired:
            message = (
                f"The connection to {account} has expired; an owner must reconnect it on the "
                "Connections page."
            )
            health.mark_needs_reconnect(connection=account, reason=message)
            raise PublishError(message)
        reason = health.check_if_stale(account)
        if reason:
            raise PublishError(reason)
        return account

    def connection(self, organization_id: int) -> MetaConnection | None:
        """``connection_for``, read once per publisher: the engine asks its gates, then publishes."""
        cached = getattr(self, "_connection", None)
        if cached is None or cached[0] != organization_id:
            cached = self._connection = (organization_id, self.connection_for(organization_id))
        return cached[1]

    def connection_for(self, organization_id: int) -> MetaConnection | None:
        return services.account_for(organization=organization_id)

    def run(self, post, media, account, client) -> PublishResult:
        raise NotImplementedError

    def _first_comment(self, post: ScheduledPost, client: GraphClient, object_id: str) -> None:
        """Right after the post went out: its first comment, once; never fails the post."""
        if post.media_content is not None:
            send_first_comment(
                media=post.media_content,
                state=post.external_state,
                client=client,
                object_id=object_id,
                save=lambda **state: self.claim.save_progress(**state),
            )

    def check_due(self, post: ScheduledPost) -> int:
        """Count a status check; past the bound the caller gives up."""
        checks = int(post.external_state.get("checks", 0)) + 1
        self.claim.save_progress(checks=checks)
        return checks
