"""Sets ``request.organization``: the dealership a signed-in user is acting for."""

from .selectors import organizations_for_user

SESSION_KEY = "organization_id"


def get_current_organization(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    organizations = organizations_for_user(user=user)
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        organization = organizations.filter(pk=chosen).first()
        if organization is not None:
            return organization
    # No choice yet (or the membership was removed): fall back to the first one.
    return organizations.first()


class CurrentOrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = get_current_organization(request)
        return self.get_response(request)
