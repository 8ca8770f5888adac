"""Changes to who acts for which dealership."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import Membership, Organization
from .selectors import is_member

ENROLMENT_REFUSED = (
    "Only superusers can add an existing person to a dealership; invite them instead."
)


def organization_remember_choice(*, user: AbstractBaseUser, organization: Organization) -> None:
    """Remember the dealership a person picked, so their next sign-in acts for it again.

    A superuser acting for a dealership they are not a member of has no row to remember
    it on: the choice lasts for their session only.
    """
    Membership.objects.filter(user=user, organization=organization).update(
        last_chosen_at=timezone.now()
    )


def membership_check_enrolment(
    *,
    actor: AbstractBaseUser,
    organization: Organization,
    user_id: int | None,
    previous_user_id: int | None = None,
) -> None:
    """Refuse to let anyone but a superuser put a person into a dealership.

    Staff of one dealership could otherwise name another dealership's user and make
    that person's next uploads land in their library. Everyone else invites, and the
    person accepts (the invitation flow is its own piece of work). Raises
    ``ValidationError`` with the reason in words.
    """
    if actor.is_superuser:
        return
    if previous_user_id is not None and user_id == previous_user_id:
        return  # the row keeps its person: a role change, or nothing
    if previous_user_id is not None or not is_member(user_id=user_id, organization=organization):
        raise ValidationError(ENROLMENT_REFUSED, code="enrolment_refused")
