"""The OAuth ``state`` of a connection: random, single use, bound to a session and a dealership.

A connect flow without a state is open to login CSRF: anyone could make a
dealer's browser finish a connection to the attacker's Page. Here the state is
32 random bytes; only its hash is stored (``ConnectionAttempt``), with a hash
of a random value kept in the session that started it. The callback claims it
with one conditional UPDATE (unused, not expired), so a replayed state, one
from another session or dealership, or one past ``STATE_LIFETIME_SECONDS``
changes nothing.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from . import crypto
from .models import ConnectionAttempt

# A connection's state (the OAuth state) is good for this long, once.
STATE_LIFETIME_SECONDS = 600

SESSION_BINDING = "meta_oauth_binding"
SESSION_ATTEMPT = "meta_oauth_attempt"


class BadState(Exception):
    """The callback's state cannot be trusted; ``str()`` says why, in words."""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _binding(session, *, create: bool) -> str:
    value = session.get(SESSION_BINDING, "")
    if not value and create:
        value = secrets.token_urlsafe(32)
        session[SESSION_BINDING] = value
    return _digest(value) if value else ""


def attempt_start(
    *, session, organization: Organization, user, provider: str
) -> tuple[ConnectionAttempt, str]:
    """A new attempt and the state to send; old expired attempts are swept on the way."""
    state = secrets.token_urlsafe(32)
    now = timezone.now()
    ConnectionAttempt.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()
    attempt = ConnectionAttempt.objects.create(
        organization=organization,
        user=user,
        provider=provider,
        state_hash=_digest(state),
        session_binding=_binding(session, create=True),
        expires_at=now + datetime.timedelta(seconds=STATE_LIFETIME_SECONDS),
    )
    return attempt, state


def attempt_claim(
    *, session, organization: Organization, provider: str, state: str
) -> ConnectionAttempt:
    """The attempt this state belongs to, claimed once; raises BadState in words otherwise."""
    if not state:
        raise BadState(
            "This answer from Meta carries no state, so we cannot tell that you started it. "
            "Nothing changed; start again from the Connections page."
        )
    binding = _binding(session, create=False)
    now = timezone.now()
    attempt = ConnectionAttempt.objects.filter(state_hash=_digest(state)).first()
    if attempt is None or attempt.provider != provider:
        raise BadState(
            "This answer from Meta does not match a connection started here. Nothing changed; "
            "start again from the Connections page."
        )
    if not binding or not secrets.compare_digest(attempt.session_binding, binding):
        raise BadState(
            "This connection was started in another browser session, so we did not accept it. "
            "Nothing changed; start again from the Connections page."
        )
    if attempt.organization_id != organization.pk:
        raise BadState(
            "This connection was started for another dealership than the one you are acting "
            "for now. Nothing changed; switch back, or start again."
        )
    with transaction.atomic():
        claimed = ConnectionAttempt.objects.filter(
            pk=attempt.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, expires_at=now + _picker_time())
    if not claimed:
        attempt.refresh_from_db()
        if attempt.used_at is not None:
            raise BadState(
                "This answer from Meta was already used once, so we did not accept it again. "
                "Nothing changed; start again from the Connections page."
            )
        raise BadState(
            f"The connection took longer than {STATE_LIFETIME_SECONDS // 60} minutes "
            "and expired. Nothing changed; start again from the Connections page."
        )
    attempt.refresh_from_db()
    session[SESSION_ATTEMPT] = attempt.pk
    return attempt


def _picker_time() -> datetime.timedelta:
    return datetime.timedelta(seconds=STATE_LIFETIME_SECONDS)


def attempt_keep_token(*, attempt: ConnectionAttempt, user_token: str, **found) -> None:
    """Keep the long-lived user token, encrypted, while the person picks a Page."""
    attempt.user_token_encrypted = crypto.encrypt(user_token)
    for name, value in found.items():
        setattr(attempt, name, value)
    attempt.save()


def attempt_in_progress(
    *, session, organization: Organization, provider: str
) -> ConnectionAttempt | None:
    """The claimed attempt of this session and dealership still holding a user token."""
    pk = session.get(SESSION_ATTEMPT)
    if not pk:
        return None
    return ConnectionAttempt.objects.filter(
        pk=pk,
        organization=organization,
        provider=provider,
        session_binding=_binding(session, create=False) or "-",
        used_at__isnull=False,
        expires_at__gt=timezone.now(),
    ).first()


def attempt_finish(*, session, attempt: ConnectionAttempt) -> None:
    """Forget the user token: we keep Page tokens only."""
    ConnectionAttempt.objects.filter(pk=attempt.pk).update(
        user_token_encrypted="", expires_at=timezone.now()
    )
    session.pop(SESSION_ATTEMPT, None)
