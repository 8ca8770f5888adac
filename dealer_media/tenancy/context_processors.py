from .roles import abilities, request_membership
from .selectors import organizations_for_user


def organization(request) -> dict:
    """The dealership acted for, the person's others, and what their role lets them do.

    ``can`` is lazy: a page that never asks costs no query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "organization", None)
    return {
        "current_organization": current,
        "user_organizations": organizations_for_user(user=user),
        "membership": lambda: request_membership(request),
        "can": lambda: abilities(request_membership(request)),
    }
