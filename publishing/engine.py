"""Publishing one ScheduledPost, once, through the publisher of its destination.

The post moves by compare-and-set UPDATEs (see ScheduledPost's state machine),
written by ``delivery_lifecycle``: only the worker whose claim changed the row
publishes, so a duplicated message or a retried task can never send a post
twice. Every later write of that worker is conditioned on its own claim
(``status='publishing'`` and its ``claimed_at``: ``under_claim``), so a worker
that lost the post to the stale sweep writes nothing. This module decides
(wait, retry, fail, finish); it does not write the status itself.

Retries never re-send blindly:

- A publisher raises ``PublishError(permanent=False, retry_after=...)`` only when
  Meta answered that nothing was done (rate limit, temporary error). The post
  goes back to ``pending`` with ``next_attempt_at`` (exponential backoff with
  jitter, at least Meta's hint) and the task is enqueued with that countdown,
  at most ``SOCIAL_MAX_RETRIES`` times.
- Before a request that makes something public, the publisher calls
  :func:`begin_send`, which stamps ``send_started_at``. A post found later in
  ``publishing`` with that stamp (the worker died, or no answer came back) is
  ``unconfirmed``: a person decides, nothing re-sends it.
- Multi-step destinations (an Instagram container, a Facebook video being
  processed) save their progress with :func:`save_progress` and raise
  :class:`PublishInProgress`; the post waits in ``pending`` and the next claim
  continues from the saved step instead of starting over.
"""

import logging
import random
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from dealer_media import broker
from media_content.delivery_lifecycle import (
    claim_delivery,
    finish_delivery,
    hold_delivery,
    release_delivery,
    write_progress,
)
from media_content.models import Destination, MediaContent, PostFile, ScheduledPost
from publishing import gates
from publishing.publisher import (
    LostClaim,
    PublishError,
    PublishInProgress,
    PublishResult,
    PublishUnconfirmed,
    get_publisher,
)

CRASHED_BEFORE_SENDING = "Publishing stopped on an unexpected error; our team has been told."
# The longest backoff between two attempts of a delivery.
RETRY_MAX_SECONDS = 3600.0

__all__ = [
    "LostClaim",
    "PublishError",
    "PublishInProgress",
    "PublishResult",
    "PublishUnconfirmed",
    "publish_post",
]

logger = logging.getLogger(__name__)


def save_progress(post: ScheduledPost, **state: Any) -> None:
    """Merge ``state`` into the post's external_state now (committed), if still ours."""
    if not write_progress(delivery=post, external_state={**post.external_state, **state}):
        raise LostClaim(post.pk)


def begin_send(post: ScheduledPost, **state: Any) -> None:
    """Stamp the post before a request that publishes: from here its outcome can be unknown.

    ``state`` is merged into its progress by the same write.
    """
    progress = {"external_state": {**post.external_state, **state}} if state else {}
    if not write_progress(delivery=post, send_started_at=timezone.now(), **progress):
        raise LostClaim(post.pk)


def end_send(post: ScheduledPost, **state: Any) -> None:
    """Meta answered the publishing request (e.g. with a video id): the outcome is known again."""
    new_state = {**post.external_state, **state}
    if not write_progress(delivery=post, send_started_at=None, external_state=new_state):
        raise LostClaim(post.pk)


class PostClaim:
    """This worker's claim on one post, handed to its publisher (``publisher_api.Claim``)."""

    def __init__(self, post: ScheduledPost):
        self.post = post

    @property
    def state(self) -> dict:
        return self.post.external_state

    def save_progress(self, **state: Any) -> None:
        save_progress(self.post, **state)

    def begin_send(self, **state: Any) -> None:
        begin_send(self.post, **state)

    def end_send(self, **state: Any) -> None:
        end_send(self.post, **state)


def publish_post(*, post_id: int) -> ScheduledPost | None:
    """Publish one post if, and only if, this call wins the claim on it."""
    if not claim_delivery(delivery_id=post_id, now=timezone.now()):
        logger.info("Post %s is not due and pending; not publishing it now.", post_id)
        return None
    post = _claimed_post(post_id)
    if _waits_for_processing(post):
        _wait_for_processing(post)
        return post
    refusal = _refusal_before_sending(post)
    if refusal:
        _finish(post, status=ScheduledPost.Status.FAILED, last_error=refusal)
        return post
    try:
        publisher = get_publisher(post.destination)
        passage = gates.ask(gates=gates.gates_of(publisher, post), now=timezone.now())
    except Exception:
        logger.exception("Finding the publisher or the gates of post %s crashed.", post_id)
        _finish(post, status=ScheduledPost.Status.FAILED, last_error=CRASHED_BEFORE_SENDING)
        return post
    if passage.shut:
        _hold(post, passage)
        post.refresh_from_db()
        return post
    if _first_send(post):
        _record_what_is_sent(post)
    try:
        with passage:  # the gates learn whether the destination answered
            result = publisher.publish(post, PostClaim(post))
    except LostClaim:
        logger.warning("Post %s was taken from this worker while publishing.", post_id)
        return None
    except PublishInProgress as progress:
        _wait(post, delay=progress.check_after, last_error="")
    except PublishUnconfirmed as error:
        _finish(post, status=ScheduledPost.Status.UNCONFIRMED, last_error=error.message)
    except PublishError as error:
        if error.permanent:
            _finish(post, status=ScheduledPost.Status.FAILED, last_error=error.message)
        else:
            _retry_or_fail(post, error)
    except Exception:
        logger.exception("Publishing post %s crashed.", post_id)
        if post.send_started_at is not None:
            _finish(
                post,
                status=ScheduledPost.Status.UNCONFIRMED,
                last_error="Publishing stopped on an unexpected error after the post was sent; "
                "check the page before sending it again.",
            )
        else:
            _finish(post, status=ScheduledPost.Status.FAILED, last_error=CRASHED_BEFORE_SENDING)
    else:
        _finish(
            post,
            status=ScheduledPost.Status.POSTED,
            external_id=result.external_id,
            external_url=result.external_url,
            external_state={**post.external_state, **result.state},
            posted_at=timezone.now(),
            last_error=result.note,
            next_attempt_at=None,
        )
    return post  # as written: the lifecycle's writes keep it as the database has it


def _claimed_post(post_id: int) -> ScheduledPost:
    """The claimed post, its item and the item's files in order, read once for the checks,
    the record of what is sent and the publisher."""
    files = Prefetch(
        "media_content__post_files",
        queryset=PostFile.objects.select_related("file").order_by("position"),
    )
    return (
        ScheduledPost.objects.select_related("media_content")
        .prefetch_related(files)
        .get(pk=post_id)
    )


def _record_what_is_sent(post: ScheduledPost) -> None:
    """Keep the exact text and file URLs on the delivery, as the post reads now.

    Set in memory: every write under the claim carries them (``delivery_lifecycle``).
    """
    from media_content.captions import caption_for

    media = post.media_content
    text = (
        media.title
        if post.destination == Destination.BANNER
        else caption_for(media=media, network=post.destination)
    )
    post.sent_text = text
    post.sent_file_urls = [item.media_url for item in media.items()]


def _first_send(post: ScheduledPost) -> bool:
    return post.media_content is not None and not (post.send_started_at or post.external_state)


def _waits_for_processing(post: ScheduledPost) -> bool:
    """A file uploaded with "Post now" is still being measured, or a rendition the delivery
    sends instead of a file (``renditions_wanted``) is still being made: its checks are
    not known yet.

    Bounded: past PUBLISHING_WAIT_FOR_PROCESSING_SECONDS after the post's time
    it stops waiting, and the checks refuse it with the reason.
    """
    from media_content.carousel_checks import items_processing_finished
    from media_content.renditions_wanted import renditions_pending

    if not _first_send(post):
        return False
    media = post.media_content
    if items_processing_finished(media) and not renditions_pending(media, post.destination):
        return False
    waited = (timezone.now() - post.scheduled_time).total_seconds()
    return waited < settings.PUBLISHING_WAIT_FOR_PROCESSING_SECONDS


def _wait_for_processing(post: ScheduledPost) -> None:
    """Back to pending until the end of processing sends it (``lifecycle``'s nudge).

    The message due in PUBLISHING_PROCESSING_CHECK_SECONDS is only the fallback for
    a lost nudge. Processing may have finished between our look and our release,
    when its nudge found the post still claimed: so look again once released.
    """
    from media_content.carousel_checks import items_processing_finished
    from media_content.lifecycle import send_posts_waiting_for_processing
    from media_content.renditions_wanted import ask_again, renditions_pending

    waiting_for = "Waiting for the file to finish processing."
    pending = renditions_pending(post.media_content, post.destination)
    ask_again([wanted for wanted in pending if wanted.kind.ask_again_while_waiting])
    if pending and items_processing_finished(post.media_content):
        waiting_for = pending[0].kind.waiting
    _wait(post, delay=settings.PUBLISHING_PROCESSING_CHECK_SECONDS, last_error=waiting_for)
    media = MediaContent.objects.filter(pk=post.media_content_id).first()
    if (
        media is not None
        and items_processing_finished(media)
        and not renditions_pending(media, post.destination)
    ):
        transaction.on_commit(
            lambda: send_posts_waiting_for_processing(post_id=post.media_content_id)
        )


def _refusal_before_sending(post: ScheduledPost) -> str:
    """The destination's checks, run again just before a first send (the file may have changed).

    A rendition the delivery sends and the worker could not make is among the checks'
    errors, in its kind's words; one the checks do not judge stops the post all the same.
    """
    if not _first_send(post):
        return ""
    from media_content.carousel_checks import items_processing_finished, post_checks
    from media_content.renditions_wanted import ask_again, renditions_failed, renditions_pending

    media = post.media_content
    if not items_processing_finished(media):
        return (
            "Not sent: the file was still being processed "
            f"{settings.PUBLISHING_WAIT_FOR_PROCESSING_SECONDS // 60} minutes after its time. "
            "Once the library shows it ready, send it again."
        )
    pending = renditions_pending(media, post.destination)
    if pending:
        ask_again(pending)  # in case their tasks were lost: ready for a retry
        minutes = settings.PUBLISHING_WAIT_FOR_PROCESSING_SECONDS // 60
        return f"Not sent: {pending[0].late_words(minutes=minutes)}"
    errors = post_checks(media, post.destination).errors
    if errors:
        return f"Not sent: {errors[0]}"
    failed = renditions_failed(media, post.destination)
    return f"Not sent: {failed[0].failed_words()}" if failed else ""


def backoff_seconds(retry: int, *, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter (half fixed, half random), never under Meta's hint."""
    ceiling = min(RETRY_MAX_SECONDS, settings.SOCIAL_RETRY_BASE_SECONDS * 2**retry)
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not security
    return max(delay, retry_after or 0.0)


def _retry_or_fail(post: ScheduledPost, error: PublishError) -> None:
    counter, most = error.retry_budget or ("retries", settings.SOCIAL_MAX_RETRIES)
    retries = int(post.external_state.get(counter, 0))
    if retries >= most:
        _finish(
            post,
            status=ScheduledPost.Status.FAILED,
            last_error=f"{error.message} We gave up after {retries + 1} tries.",
        )
        return
    post.external_state = {**post.external_state, counter: retries + 1}
    _wait(
        post,
        delay=backoff_seconds(retries, retry_after=error.retry_after),
        last_error=error.message,
    )


@transaction.atomic
def _wait(post: ScheduledPost, *, delay: float, last_error: str) -> None:
    """Back to pending until ``delay`` seconds from now; the task comes back then."""
    if release_delivery(delivery=post, delay=delay, last_error=last_error):
        enqueue_publish(post.pk, countdown=delay)


@transaction.atomic
def _hold(post: ScheduledPost, passage: gates.Passage) -> None:
    """A gate is shut: pending until it opens (plus jitter), no try counted, in the gate's words."""
    if hold_delivery(delivery=post, delay=passage.delay, last_error=passage.words):
        enqueue_publish(post.pk, countdown=passage.delay)


def enqueue_publish(post_id: int, *, countdown: float = 0) -> None:
    """The post's task after the commit (``countdown`` seconds later); see ``broker``."""
    broker.send_on_commit(broker.PUBLISH_POST, post_id, countdown=countdown)


def _finish(post: ScheduledPost, *, status: str, **fields) -> None:
    if status == ScheduledPost.Status.FAILED:
        # A person's retry starts afresh: new retry and status-check budgets.
        fields["external_state"] = {
            k: v
            for k, v in post.external_state.items()
            if k not in ("retries", "checks") and not k.startswith("retries_")
        }
        fields["next_attempt_at"] = None
    finish_delivery(delivery=post, status=status, **fields)
