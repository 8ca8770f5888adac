"""The file library in the portal: what was uploaded or brought in, and which posts use it.

``GET /marketing/files`` lists files (by source, by vehicle); ``/files/<id>/get``
answers one with ``used_by``; ``/files/<id>/delete`` is refused (409, in words
naming the posts) while a post still to go out carries the file.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dealer_media.tenancy.roles import Action, role_required
from library.models import MediaFile

from . import files
from .views import wants_json

PAGE_SIZE = 48


def file_as_json(file: MediaFile) -> dict:
    return {
        "id": file.pk,
        "title": file.title,
        "source": file.source,
        "vehicle_id": file.vehicle_id,
        "media_type": file.media_type,
        "media_url": file.media_url,
        "thumbnail_url": file.thumbnail_url,
        "width": file.width,
        "height": file.height,
        "duration": file.duration,
        "size_bytes": file.size_bytes,
        "processing_status": file.processing_status,
        "created_at": file.created_at.isoformat(),
    }


def _file_or_404(request: HttpRequest, pk: int) -> MediaFile:
    try:
        return MediaFile.objects.for_org(request.organization).get(pk=pk)
    except MediaFile.DoesNotExist:
        raise Http404("No such file in this dealership's library.") from None


@require_GET
@role_required(Action.VIEW)
def file_library(request: HttpRequest) -> HttpResponse:
    """The dealership's files, newest first; ``source`` and ``vehicle`` filter them."""
    found = MediaFile.objects.for_org(request.organization).order_by("-created_at", "-pk")
    source = request.GET.get("source", "")
    if source in MediaFile.Source.values:
        found = found.filter(source=source)
    vehicle = request.GET.get("vehicle", "")
    if vehicle.isdigit():
        found = found.filter(vehicle_id=int(vehicle))
    page = Paginator(found.select_related("vehicle"), PAGE_SIZE).get_page(request.GET.get("page"))
    if wants_json(request):
        return JsonResponse({"files": [file_as_json(file) for file in page]})
    return render(
        request,
        "marketing/files.html",
        {"page": page, "sources": MediaFile.Source.choices, "source": source},
    )


@require_GET
@role_required(Action.VIEW)
def file_get(request: HttpRequest, pk: int) -> JsonResponse:
    file = _file_or_404(request, pk)
    return JsonResponse({**file_as_json(file), "used_by": files.used_by(file=file)})


@require_POST
@role_required(Action.EDIT_POSTS)
def file_delete(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_or_404(request, pk)
    title = file.title
    try:
        files.file_delete(file=file)
    except files.FileInUse as in_use:
        message = str(in_use)
        if wants_json(request):
            return JsonResponse(
                {
                    "error": message,
                    "errors": {"__all__": [message]},
                    "used_by": [post.pk for post in in_use.posts],
                },
                status=409,
            )
        messages.error(request, message)
        return redirect("media_content:files")
    if wants_json(request):
        return JsonResponse({"deleted": pk})
    messages.success(request, f"Deleted “{title}” from the library.")
    return redirect("media_content:files")
