"""Sets ``request.organization``: the dealership a signed-in user is acting for."""

from django.contrib import messages

from .models import Organization
from .selectors import organizations_for_user, remembered_organization

SESSION_KEY = "organization_id"


def get_current_organization(request):
    """The session's choice; without one, the remembered dealership, and the person is told.

    The session keeps the dealership in use, so a change of it (a membership removed
    while signed in, or a first request after signing in with several dealerships) is
    noticed and announced with a message naming the dealership now acted for.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    organizations = organizations_for_user(user=user)
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        organization = organizations.filter(pk=chosen).first()
        if organization is not None:
            return organization
    organization = remembered_organization(user=user)
    if organization is None:
        request.session.pop(SESSION_KEY, None)
        return None
    request.session[SESSION_KEY] = organization.pk
    _announce(request, organization=organization, lost=chosen, organizations=organizations)
    return organization


def _announce(request, *, organization: Organization, lost, organizations) -> None:
    if lost is not None:
        previous = Organization.objects.filter(pk=lost).values_list("name", flat=True).first()
        gone = (
            f"You no longer have access to {previous}."
            if previous
            else "You no longer have access to the dealership you were acting for."
        )
        messages.warning(
            request, f"{gone} You are now acting for {organization.name}.", fail_silently=True
        )
    elif organizations.count() > 1:
        messages.info(
            request,
            f"You are acting for {organization.name}. To work for another of your "
            "dealerships, use “Switch dealership” at the top of the page.",
            fail_silently=True,
        )


class CurrentOrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = get_current_organization(request)
        return self.get_response(request)
