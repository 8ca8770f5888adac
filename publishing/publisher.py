"""What a publisher is: the one interface between the publishing engine and a destination.

The engine (``publishing.py``) claims a post, then calls its destination's
publisher (``settings.PUBLISHERS``: ``social.publishers``, ``banners.publisher``,
the sandbox) with the post and a :class:`Claim`. A publisher reads the post,
talks to its destination, records its progress and its sends through the claim,
and answers a :class:`PublishResult` or raises one of the errors below. It never
imports the engine: what it may do to the post is this interface.

A publisher that talks to a service with limits names the :class:`Gate` each post
passes (``gates_for``): the engine asks them before calling it (``publishing.gates``).
"""

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from media_content.models import ScheduledPost


class Claim(Protocol):
    """The worker's hold on the post; every write is refused (LostClaim) once it is lost."""

    @property
    def state(self) -> dict:
        """The post's saved progress (``external_state``)."""

    def save_progress(self, **state: Any) -> None:
        """Merge ``state`` into the saved progress, committed at once."""

    def begin_send(self, **state: Any) -> None:
        """Call before a request that makes something public: from here the outcome can
        be unknown, and a post found stuck is shown to a person, never sent again.
        ``state`` is merged into the saved progress by the same write."""

    def end_send(self, **state: Any) -> None:
        """The destination answered that request (e.g. with a video id): known again."""


@dataclass(frozen=True)
class PublishResult:
    external_id: str
    external_url: str = ""
    note: str = ""  # kept in last_error when something worth telling happened
    # Merged into the delivery's saved progress by the same write that records the
    # outcome, e.g. a link still to be read from the destination later.
    state: dict = field(default_factory=dict)


class PublishError(Exception):
    """A publishing failure, in words a dealer understands.

    ``permanent`` failures are not retried (a rejected file, a dead token).
    Others are retried with backoff, not before ``retry_after`` seconds.
    ``unavailable``: the destination did not answer (a server error, a timeout, a
    temporary error), which counts toward its circuit breaker; a refusal does not.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = True,
        retry_after: float | None = None,
        retry_budget: tuple[str, int] | None = None,
        unavailable: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.unavailable = unavailable
        # (counter name, most tries) when this kind of failure has a budget of its own,
        # e.g. one long wait after a block; else "retries" and SOCIAL_MAX_RETRIES.
        self.retry_budget = retry_budget


class PublishUnconfirmed(PublishError):
    """The request may have published the post, but no answer says so: a person checks."""


class PublishInProgress(Exception):
    """Progress is saved; the destination needs time (e.g. Instagram is fetching the video)."""

    def __init__(self, message: str = "", *, check_after: float):
        super().__init__(message)
        self.message = message
        self.check_after = check_after


class LostClaim(Exception):
    """This worker no longer holds the post (the stale sweep or a person took it)."""


@dataclass(frozen=True)
class Gate:
    """A gate a post passes on its way out: its Page's or account's, or the app's.

    A rate limit shuts it for a while; when ``breaker`` is set, failures where the
    destination did not answer count toward its circuit breaker (``publishing.gates``).
    ``network`` and ``what`` name it in the dealer's words ("Facebook", "this Page").
    """

    key: str
    network: str
    what: str
    breaker: bool = True


class Publisher(Protocol):
    """``publish`` is the interface; a publisher may also have
    ``gates_for(post) -> list[Gate]``, the gates its post passes (none: it has no limits)."""

    label: str

    def publish(self, post: ScheduledPost, claim: Claim) -> PublishResult: ...


def get_publisher(destination: str) -> Publisher:
    """The publisher the settings name for ``destination`` (``PUBLISHERS``)."""
    return import_string(settings.PUBLISHERS[destination])()
