from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dealer_media.tenancy.decorators import organization_required

from . import selectors
from .uploads import views as upload_views


@organization_required
def library(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":  # a regular upload (media_content/uploads/views.py)
        return upload_views.media_create_view(request)
    items = selectors.library_items(organization=request.organization)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "marketing/media.html", {"page": page})
