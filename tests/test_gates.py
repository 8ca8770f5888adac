"""The gates' transitions (publishing/gates.py): pauses, and a breaker that opens, probes, closes.

The posts' side, against the fake Graph API, is tests/social/test_gates.py.
"""

import contextlib
import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from publishing import gates
from publishing.models import PublishingGate
from publishing.publisher import Gate, LostClaim, PublishError, PublishUnconfirmed

from .racing import at_once

START = datetime.datetime(2026, 3, 2, 17, 0, tzinfo=datetime.UTC)
PAGE = Gate("meta:111", "Facebook", "this Page")
APP = Gate("meta:app", "Meta", "every dealership", breaker=False)
State = PublishingGate.State


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def breaker_settings(settings):
    settings.PUBLISHING_BREAKER_FAILURES = 3
    settings.PUBLISHING_BREAKER_COOLDOWN_SECONDS = 60
    settings.PUBLISHING_BREAKER_COOLDOWN_MAX_SECONDS = 200
    settings.PUBLISHING_BREAKER_PROBE_TIMEOUT_SECONDS = 900
    settings.PUBLISHING_GATE_RECHECK_SECONDS = 15
    settings.PUBLISHING_GATE_JITTER_SECONDS = 0


def _through(outcome: BaseException | None = None) -> gates.Passage:
    """A post asks the Page's and the app's gates now and, if let through, meets ``outcome``."""
    passage = gates.ask(gates=[PAGE, APP], now=datetime.datetime.now(datetime.UTC))
    if not passage.shut:
        with contextlib.suppress(PublishError), passage:
            if outcome is not None:
                raise outcome
    return passage


def _gate() -> PublishingGate:
    return PublishingGate.objects.get(key=PAGE.key)


UNAVAILABLE = PublishError("Facebook had a temporary problem.", permanent=False, unavailable=True)


@pytest.mark.django_db
def test_failures_open_the_breaker_and_an_answer_resets_the_count(clock):
    _through(UNAVAILABLE)
    _through(UNAVAILABLE)
    assert _gate().consecutive_failures == 2
    _through(PublishError("The file was refused."))  # an answer: Meta is there
    assert _gate().consecutive_failures == 0
    _through(PublishError("Rate limited.", permanent=False))  # a rate limit is no failure
    for _ in range(3):
        _through(PublishUnconfirmed("No answer after the send.", unavailable=True))
    gate = _gate()
    assert (gate.state, gate.trips, gate.consecutive_failures) == (State.OPEN, 1, 3)
    assert gate.retry_at == START + datetime.timedelta(seconds=60)
    assert gate.last_error == "No answer after the send."

    shut = _through()
    assert shut.shut and shut.until == gate.retry_at
    assert "failed 3 times in a row for this Page" in shut.words
    # The app's gate has no breaker: nothing was written for it.
    assert not PublishingGate.objects.filter(key=APP.key).exists()


@pytest.mark.django_db
def test_one_probe_after_the_cool_down_and_its_failure_doubles_the_wait_up_to_the_cap(clock):
    for _ in range(3):
        _through(UNAVAILABLE)
    clock.shift(60)
    probe = gates.ask(gates=[PAGE, APP], now=datetime.datetime.now(datetime.UTC))
    assert probe.probe == (PAGE.key, START + datetime.timedelta(seconds=60))
    assert _gate().state == State.PROBING
    other = gates.ask(gates=[PAGE, APP], now=datetime.datetime.now(datetime.UTC))
    assert other.shut and other.probe is None
    assert other.until == START + datetime.timedelta(seconds=75)  # looks again soon
    assert "one post is trying again now" in other.words

    with pytest.raises(PublishError), probe:
        raise UNAVAILABLE
    gate = _gate()
    assert (gate.state, gate.trips) == (State.OPEN, 2)
    assert gate.retry_at == START + datetime.timedelta(seconds=60 + 120)

    clock.shift(120)
    _through(UNAVAILABLE)  # the second probe fails: 240 s, capped at 200
    assert _gate().retry_at == START + datetime.timedelta(seconds=180 + 200)

    clock.shift(200)
    _through()  # answered: closed, and the count starts again
    gate = _gate()
    assert (gate.state, gate.trips, gate.consecutive_failures) == (State.CLOSED, 0, 0)
    assert gate.retry_at is None and gate.probe_started_at is None


@pytest.mark.django_db
def test_a_probe_whose_worker_died_is_taken_again_and_its_late_answer_writes_nothing(clock):
    for _ in range(3):
        _through(UNAVAILABLE)
    clock.shift(60)
    dead = gates.ask(gates=[PAGE], now=datetime.datetime.now(datetime.UTC))
    assert dead.probe is not None
    clock.shift(899)
    assert gates.ask(gates=[PAGE], now=datetime.datetime.now(datetime.UTC)).shut
    clock.shift(1)
    again = gates.ask(gates=[PAGE], now=datetime.datetime.now(datetime.UTC))
    assert again.probe == (PAGE.key, START + datetime.timedelta(seconds=960))

    with dead:  # the first worker answers at last: not its probe any more
        pass
    assert _gate().state == State.PROBING
    with pytest.raises(LostClaim), again:  # the probe's claim was lost: another post probes
        raise LostClaim(1)
    gate = _gate()
    assert gate.state == State.OPEN and gate.trips == 1
    assert gates.ask(gates=[PAGE], now=datetime.datetime.now(datetime.UTC)).probe is not None


@pytest.mark.django_db
def test_a_pause_holds_until_its_time_and_a_later_pause_wins(clock):
    until = START + datetime.timedelta(minutes=4)
    assert gates.slow_down(key=APP.key, until=until, reason="X-App-Usage at 100%")
    assert not gates.slow_down(key=APP.key, until=until - datetime.timedelta(minutes=1), reason="x")
    passage = gates.ask(gates=[PAGE, APP], now=START)
    assert passage.until == until
    assert passage.words == (
        "Waiting: Meta asked us to slow down for every dealership; it will go out "
        "automatically in about 4 minutes."
    )
    assert gates.slow_down(key=APP.key, until=until + datetime.timedelta(hours=2), reason="y")
    assert "in about 2 hours" in gates.ask(gates=[APP], now=START).words
    clock.move_to(until + datetime.timedelta(hours=2))
    assert not gates.ask(gates=[PAGE, APP], now=until + datetime.timedelta(hours=2)).shut


@pytest.mark.django_db
def test_the_jitter_spreads_the_waiting_posts(settings, clock):
    settings.PUBLISHING_GATE_JITTER_SECONDS = 30
    gates.slow_down(key=PAGE.key, until=START + datetime.timedelta(minutes=4), reason="r")
    delays = [gates.ask(gates=[PAGE], now=START).delay for _ in range(20)]
    assert all(240 <= delay <= 270 for delay in delays)


@pytest.mark.django_db
def test_an_operator_closes_a_gate(clock):
    for _ in range(3):
        _through(UNAVAILABLE)
    gates.slow_down(key=PAGE.key, until=START + datetime.timedelta(hours=1), reason="r")
    assert gates.resume(key=PAGE.key)
    gate = _gate()
    assert (gate.state, gate.paused_until, gate.consecutive_failures) == (State.CLOSED, None, 0)
    assert not _through().shut


@pytest.mark.django_db
def test_the_database_refuses_an_open_breaker_without_a_retry_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishingGate.objects.create(key="meta:1", state=State.OPEN, trips=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishingGate.objects.create(key="meta:2", paused_until=START)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_workers_take_one_probe_on_postgresql(clock):
    PublishingGate.objects.create(
        key=PAGE.key, state=State.OPEN, trips=1, consecutive_failures=3, retry_at=START
    )
    passages = at_once(lambda: gates.ask(gates=[PAGE], now=START), threads=6)
    assert sum(passage.probe is not None for passage in passages) == 1
    assert sum(passage.shut for passage in passages) == 5
    assert _gate().state == State.PROBING
