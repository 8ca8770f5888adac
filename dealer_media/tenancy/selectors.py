from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import Organization


def organizations_for_user(*, user: AbstractBaseUser | AnonymousUser):
    """The dealerships a user may act for, in name order."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=user).distinct()
