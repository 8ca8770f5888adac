from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .middleware import SESSION_KEY
from .selectors import organizations_for_user
from .services import organization_remember_choice


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Make another of the user's dealerships the one the portal acts for, now and next time."""
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        raise Http404("No such dealership.") from None
    organization = organizations_for_user(user=request.user).filter(pk=organization_id).first()
    if organization is None:
        raise Http404("No such dealership.")
    request.session[SESSION_KEY] = organization.pk
    organization_remember_choice(user=request.user, organization=organization)
    messages.success(request, f"You are now acting for {organization.name}.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "media_content:library"
    return redirect(next_url)
