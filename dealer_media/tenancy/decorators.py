from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def organization_required(view):
    """Portal views: signed in, and acting for a dealership the user belongs to."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.organization is None:
            return render(request, "marketing/no_organization.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
