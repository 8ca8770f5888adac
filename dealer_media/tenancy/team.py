"""A dealership's team: invitations by email, roles, and keeping at least one owner.

Every change takes the acting ``Membership`` (``by``) and checks its role with
``roles.require``; refusals are ``PermissionDenied`` or ``ValidationError`` in words.
The dealership's row is locked while owners are counted, so two owners demoting
each other at once cannot leave it with none.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, Membership, Organization
from .roles import Action, require

INVITATION_DAYS = 7
_SALT = "dealer_media.tenancy.invitation"
LAST_OWNER = (
    "{name} is the dealership's last owner. Make someone else an owner first: a "
    "dealership always needs one to manage its team and connections."
)


class InvitationInvalid(Exception):
    """The link cannot be used; ``str()`` says why, in words."""


# --- Links -----------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation the link names, or ``InvitationInvalid`` saying why not."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=datetime.timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired:
        raise InvitationInvalid(_EXPIRED) from None
    except signing.BadSignature:
        raise InvitationInvalid(
            "This invitation link is not valid. Check that it was copied whole."
        ) from None
    invitation = Invitation.objects.select_related("organization").filter(pk=data.get("i")).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, str(data.get("n"))):
        raise InvitationInvalid(
            "This invitation link was replaced by a newer one or withdrawn. Use the latest "
            "email, or ask the dealership's owner to invite you again."
        )
    if invitation.accepted_at is not None:
        raise InvitationInvalid(
            "This invitation has already been used. Sign in with the account that accepted it."
        )
    if invitation.revoked_at is not None:
        raise InvitationInvalid(
            f"{invitation.organization.name} withdrew this invitation. Ask its owner if you "
            "should still join."
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_EXPIRED)
    return invitation


_EXPIRED = (
    "This invitation has expired (invitations last 7 days). Ask the dealership's owner to "
    "send it again."
)


def _send_invitation(invitation: Invitation, *, base_url: str) -> None:
    url = base_url.rstrip("/") + reverse("invitation_accept", args=[invitation_token(invitation)])
    context = {"invitation": invitation, "url": url, "days": INVITATION_DAYS}
    send_mail(
        subject=f"Join {invitation.organization.name} on Dealer Media",
        message=render_to_string("emails/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


# --- Inviting ------------------------------------------------------------------------


def _refuse_unknown_role(role: str) -> None:
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose Owner, Editor or Contributor."})


def invitation_create(*, by: Membership, email: str, role: str, base_url: str) -> Invitation:
    """Invite ``email`` with ``role`` and send the link (valid 7 days, once)."""
    require(by, Action.MANAGE_TEAM)
    _refuse_unknown_role(role)
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    organization = by.organization
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {organization.name}."})
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=organization,
                email=email,
                role=role,
                invited_by=by.user if by.pk else None,
                nonce=secrets.token_hex(16),
                sent_at=now,
                expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:
        raise ValidationError(
            {"email": f"{email} already has an invitation waiting; send it again from the list."}
        ) from None
    transaction.on_commit(lambda: _send_invitation(invitation, base_url=base_url))
    return invitation


def invitation_resend(*, by: Membership, invitation: Invitation, base_url: str) -> Invitation:
    """A new link for another 7 days; the link of the earlier email stops working."""
    require(by, Action.MANAGE_TEAM)
    now = timezone.now()
    changed = Invitation.objects.filter(
        pk=invitation.pk,
        organization=by.organization,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(
        nonce=secrets.token_hex(16),
        sent_at=now,
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
    )
    if not changed:
        raise ValidationError("This invitation was already accepted or withdrawn.")
    invitation.refresh_from_db()
    transaction.on_commit(lambda: _send_invitation(invitation, base_url=base_url))
    return invitation


def invitation_revoke(*, by: Membership, invitation: Invitation) -> None:
    require(by, Action.MANAGE_TEAM)
    changed = Invitation.objects.filter(
        pk=invitation.pk,
        organization=by.organization,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    if not changed:
        raise ValidationError("This invitation was already accepted or withdrawn.")


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: AbstractBaseUser) -> Membership:
    """Join the dealership with the invitation's role; the link is then used up.

    The claim is one conditional UPDATE, so a link replayed (or clicked twice at
    once) joins once. Someone already a member keeps their role.
    """
    now = timezone.now()
    won = Invitation.objects.filter(
        pk=invitation.pk,
        nonce=invitation.nonce,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).update(accepted_at=now, accepted_by=user)
    if not won:
        raise InvitationInvalid("This invitation has already been used, withdrawn or has expired.")
    membership, _ = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    return membership


def account_for_invitation(*, invitation: Invitation, password: str) -> AbstractBaseUser:
    """A new account for the invited email (its user name), with the password they chose."""
    User = get_user_model()
    if User.objects.filter(username__iexact=invitation.email).exists():
        raise ValidationError("An account with this email already exists: sign in with it to join.")
    return User.objects.create_user(
        username=invitation.email, email=invitation.email, password=password
    )


def existing_account(*, email: str) -> AbstractBaseUser | None:
    """The active account this email belongs to, if any (to join with it)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True).filter(email__iexact=email).order_by("pk").first()
        or User.objects.filter(is_active=True, username__iexact=email).first()
    )


# --- Members ------------------------------------------------------------------------


def _lock_owners(organization: Organization) -> list[int]:
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    return list(
        Membership.objects.filter(
            organization=organization, role=Membership.Role.OWNER
        ).values_list("pk", flat=True)
    )


def _name(membership: Membership) -> str:
    user = membership.user
    return user.get_full_name() or user.email or user.get_username()


@transaction.atomic
def membership_change_role(*, by: Membership, membership: Membership, role: str) -> Membership:
    """Give a member another role; the last owner stays an owner."""
    require(by, Action.MANAGE_TEAM)
    _refuse_unknown_role(role)
    owners = _lock_owners(membership.organization)
    if role != Membership.Role.OWNER and owners == [membership.pk]:
        raise ValidationError(LAST_OWNER.format(name=_name(membership)))
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    return membership


@transaction.atomic
def membership_remove(*, by: Membership, membership: Membership) -> None:
    """Take a member out of the dealership (their account stays); never the last owner."""
    require(by, Action.MANAGE_TEAM)
    owners = _lock_owners(membership.organization)
    if owners == [membership.pk]:
        raise ValidationError(LAST_OWNER.format(name=_name(membership)))
    Membership.objects.filter(pk=membership.pk).delete()


def owners_left(*, organization: Organization, roles: dict[int, str | None]) -> int:
    """How many owners the dealership would have with these rows changed (None: removed)."""
    current = dict(Membership.objects.filter(organization=organization).values_list("pk", "role"))
    current.update(roles)
    return sum(1 for role in current.values() if role == Membership.Role.OWNER)
