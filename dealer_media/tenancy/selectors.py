from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F

from .models import Membership, Organization


def organizations_for_user(*, user: AbstractBaseUser | AnonymousUser):
    """The dealerships a user may act for, in name order."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=user).distinct()


def remembered_organization(*, user: AbstractBaseUser | AnonymousUser) -> Organization | None:
    """The dealership to act for when the session has no choice.

    The one the person chose last; never chosen, the one they joined first (not the
    first by name, which silently moved people to a dealership that sorts earlier).
    A superuser who belongs to none gets the first by name, as the switcher lists them.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    membership = (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by(F("last_chosen_at").desc(nulls_last=True), "created_at", "pk")
        .first()
    )
    if membership is not None:
        return membership.organization
    if user.is_superuser:
        return Organization.objects.first()
    return None


def is_member(*, user_id: int | None, organization: Organization) -> bool:
    """Whether someone already belongs to the dealership (staff may only edit such rows)."""
    if user_id is None or organization.pk is None:
        return False
    return Membership.objects.filter(user_id=user_id, organization=organization).exists()
