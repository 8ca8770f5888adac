"""Gates: a throttled or failing Page slows down only its own posts, and nothing is lost.

Each post passes the gates its publisher names (``Publisher.gates_for``: its Page's or
Instagram account's, and the app's). This module is the only writer of their state
(``PublishingGate``), always by compare-and-set UPDATEs, so any number of workers
agree on it.

- **Rate limits.** ``slow_down`` shuts a gate until a time (Meta's usage headers or a
  rate-limit error, read by ``social.limits``); a later time wins, an earlier one is
  ignored.
- **Circuit breaker**, per Page or account. Failures where the destination did not
  answer (``PublishError.unavailable``: server errors, timeouts, temporary errors) are
  counted; any answer resets the count. At ``PUBLISHING_BREAKER_FAILURES`` in a row it
  opens: posts wait until ``retry_at``. Then the first post to ask wins the probe
  (open → probing, one UPDATE, one winner) and is sent; its answer closes the breaker,
  its failure opens it again for twice as long (up to the maximum). A probe whose
  worker died is taken again after ``PUBLISHING_BREAKER_PROBE_TIMEOUT_SECONDS``.

The engine asks :func:`ask` before calling a publisher. A shut gate sends the post
back to pending until it opens (plus jitter, so a Page's 200 posts do not leave at
once), its try not counted; otherwise the publisher runs inside the :class:`Passage`,
which tells the gates how it went.
"""

import datetime
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from media_content.models import ScheduledPost

from .models import PublishingGate
from .publisher import Gate, Publisher, PublishError, PublishInProgress

State = PublishingGate.State

logger = logging.getLogger(__name__)


@dataclass
class Passage:
    """The answer of a post's gates: shut (``until``, in ``words``), or through.

    Used as a context manager around the publisher's call: on the way out it tells
    the breakers whether the destination answered. It never swallows an exception.
    """

    gates: Sequence[Gate] = ()
    until: datetime.datetime | None = None
    words: str = ""
    delay: float = 0.0  # seconds until the post comes back: until the gate opens, plus jitter
    probe: tuple[str, datetime.datetime] | None = None  # (gate key, ticket) when this is the probe
    failures_seen: bool = False  # a breaker had failures counted: an answer resets them

    @property
    def shut(self) -> bool:
        return self.until is not None

    def __enter__(self) -> "Passage":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        failed = _destination_failed(exc)
        if failed is None:
            if self.probe:
                _give_back_probe(*self.probe)
        elif failed:
            record_failure(passage=self, error=getattr(exc, "message", str(exc)))
        else:
            record_answer(passage=self)


def gates_of(publisher: Publisher, post: ScheduledPost) -> list[Gate]:
    """The gates the post passes (its Page's, the app's); none for a publisher without limits."""
    gates_for = getattr(publisher, "gates_for", None)
    return list(gates_for(post)) if gates_for else []


def ask(*, gates: Sequence[Gate], now: datetime.datetime) -> Passage:
    """Whether a post may go out through ``gates`` now; claims the breaker's probe when due."""
    if not gates:
        return Passage()
    rows = {row.key: row for row in PublishingGate.objects.filter(key__in=[g.key for g in gates])}
    passage = Passage(gates=gates)
    shut: list[tuple[datetime.datetime, str]] = []
    for gate in gates:
        row = rows.get(gate.key)
        if row is None:
            continue
        if row.paused_until and row.paused_until > now:
            shut.append((row.paused_until, _pause_words(gate, row.paused_until - now)))
        if gate.breaker and row.state == State.OPEN and row.retry_at > now:
            shut.append((row.retry_at, _open_words(gate, row, row.retry_at - now)))
        if gate.breaker and row.consecutive_failures:
            passage.failures_seen = True
    if not shut:
        for gate in gates:
            row = rows.get(gate.key)
            if row is None or not gate.breaker or row.state == State.CLOSED:
                continue
            if _claim_probe(key=gate.key, now=now):
                passage.probe = (gate.key, now)
                logger.info("Gate %s: this post is the probe.", gate.key)
                break
            recheck = now + datetime.timedelta(seconds=settings.PUBLISHING_GATE_RECHECK_SECONDS)
            shut.append((recheck, _probing_words(gate, row)))
    if shut:
        passage.until, passage.words = max(shut)
        jitter = random.uniform(0, settings.PUBLISHING_GATE_JITTER_SECONDS)  # noqa: S311
        passage.delay = (passage.until - now).total_seconds() + jitter
    return passage


def _claim_probe(*, key: str, now: datetime.datetime) -> bool:
    """Open and due, or probing for longer than a probe lasts: one UPDATE, one winner."""
    timeout = datetime.timedelta(seconds=settings.PUBLISHING_BREAKER_PROBE_TIMEOUT_SECONDS)
    due = Q(state=State.OPEN, retry_at__lte=now) | Q(
        state=State.PROBING, probe_started_at__lte=now - timeout
    )
    return bool(
        PublishingGate.objects.filter(due, key=key).update(
            state=State.PROBING, retry_at=None, probe_started_at=now, updated_at=now
        )
    )


def _destination_failed(exc: BaseException | None) -> bool | None:
    """True: no answer (counted); False: an answer of any kind; None: it tells nothing."""
    if exc is None or isinstance(exc, PublishInProgress):
        return False
    if isinstance(exc, PublishError):
        return exc.unavailable
    return None  # a lost claim, our own crash


def record_answer(*, passage: Passage) -> None:
    """The destination answered: a probe closes its breaker; counted failures are reset."""
    now = timezone.now()
    if passage.probe:
        key, ticket = passage.probe
        closed = PublishingGate.objects.filter(
            key=key, state=State.PROBING, probe_started_at=ticket
        ).update(
            state=State.CLOSED,
            consecutive_failures=0,
            trips=0,
            probe_started_at=None,
            updated_at=now,
        )
        if closed:
            logger.info("Gate %s: the probe was answered; posts go out again.", key)
    if passage.failures_seen:
        keys = [gate.key for gate in passage.gates if gate.breaker]
        PublishingGate.objects.filter(
            key__in=keys, state=State.CLOSED, consecutive_failures__gt=0
        ).update(consecutive_failures=0, updated_at=now)


def record_failure(*, passage: Passage, error: str) -> None:
    """The destination did not answer: a failed probe opens again, for longer; else count it.

    A breaker already open or probing counts no late answers of posts sent before.
    """
    now = timezone.now()
    if passage.probe:
        key, ticket = passage.probe
        row = PublishingGate.objects.filter(key=key).first()
        trips = (row.trips if row else 0) + 1
        reopened = PublishingGate.objects.filter(
            key=key, state=State.PROBING, probe_started_at=ticket
        ).update(
            state=State.OPEN,
            trips=trips,
            retry_at=now + datetime.timedelta(seconds=cooldown_seconds(trips=trips)),
            probe_started_at=None,
            consecutive_failures=F("consecutive_failures") + 1,
            last_error=error,
            updated_at=now,
        )
        if reopened:
            logger.warning("Gate %s: the probe failed; waiting longer.", key)
        return
    for gate in passage.gates:
        if gate.breaker:
            _count_failure(key=gate.key, error=error, now=now)


def _count_failure(*, key: str, error: str, now: datetime.datetime) -> None:
    _ensure(key)
    PublishingGate.objects.filter(key=key, state=State.CLOSED).update(
        consecutive_failures=F("consecutive_failures") + 1, last_error=error, updated_at=now
    )
    opened = PublishingGate.objects.filter(
        key=key, state=State.CLOSED, consecutive_failures__gte=settings.PUBLISHING_BREAKER_FAILURES
    ).update(
        state=State.OPEN,
        trips=1,
        retry_at=now + datetime.timedelta(seconds=cooldown_seconds(trips=1)),
        updated_at=now,
    )
    if opened:
        logger.warning("Gate %s: the breaker opened after repeated failures.", key)


def _give_back_probe(key: str, ticket: datetime.datetime) -> None:
    """The probe told nothing (its claim was lost, or our code failed): another post probes."""
    now = timezone.now()
    PublishingGate.objects.filter(key=key, state=State.PROBING, probe_started_at=ticket).update(
        state=State.OPEN, retry_at=now, probe_started_at=None, updated_at=now
    )


def cooldown_seconds(*, trips: int) -> float:
    """The wait after the breaker's ``trips``-th opening in a row: doubling, capped."""
    base = settings.PUBLISHING_BREAKER_COOLDOWN_SECONDS
    return min(settings.PUBLISHING_BREAKER_COOLDOWN_MAX_SECONDS, base * 2 ** max(0, trips - 1))


def slow_down(*, key: str, until: datetime.datetime, reason: str) -> bool:
    """Shut the gate ``key`` until ``until`` (a rate limit); a later pause already set wins."""
    _ensure(key)
    paused = PublishingGate.objects.filter(
        Q(paused_until__isnull=True) | Q(paused_until__lt=until), key=key
    ).update(paused_until=until, pause_reason=reason[:255], updated_at=timezone.now())
    if paused:
        logger.warning("Gate %s paused until %s: %s", key, until.isoformat(), reason)
    return bool(paused)


def resume(*, key: str) -> bool:
    """An operator lets posts through again now: the pause ends and the breaker closes."""
    return bool(
        PublishingGate.objects.filter(key=key).update(
            paused_until=None,
            state=State.CLOSED,
            consecutive_failures=0,
            trips=0,
            retry_at=None,
            probe_started_at=None,
            updated_at=timezone.now(),
        )
    )


def _ensure(key: str) -> None:
    """The gate's row, made on its first pause or failure (ignored if it exists)."""
    PublishingGate.objects.bulk_create([PublishingGate(key=key)], ignore_conflicts=True)


# --- The dealer's words -----------------------------------------------------------


def _about(delta: datetime.timedelta) -> str:
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    if minutes < 90:
        return f"about {minutes} minute{'s' if minutes > 1 else ''}"
    hours = round(minutes / 60)
    return f"about {hours} hours"


def _pause_words(gate: Gate, left: datetime.timedelta) -> str:
    return (
        f"Waiting: {gate.network} asked us to slow down for {gate.what}; it will go out "
        f"automatically in {_about(left)}."
    )


def _open_words(gate: Gate, row: PublishingGate, left: datetime.timedelta) -> str:
    return (
        f"Waiting: {gate.network} failed {row.consecutive_failures} times in a row for "
        f"{gate.what}; we try again in {_about(left)} and send the waiting posts once it "
        "answers."
    )


def _probing_words(gate: Gate, row: PublishingGate) -> str:
    return (
        f"Waiting: {gate.network} failed {row.consecutive_failures} times in a row for "
        f"{gate.what}; one post is trying again now, and the others go out once it answers."
    )
