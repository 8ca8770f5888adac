from .selectors import organizations_for_user


def organization(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "organization", None)
    return {
        "current_organization": current,
        "user_organizations": organizations_for_user(user=user),
    }
