"""Portal endpoints that turn uploaded bytes into media items.

``POST /marketing/media`` (regular multipart upload) and
``POST /marketing/complete-chunk-upload`` (after a tus upload). Both answer
JSON when asked with ``Accept: application/json``, else redirect to the
library with a message.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from dealer_media.tenancy.decorators import organization_required
from dealer_media.tenancy.roles import Action, refusal_to_schedule, role_required
from library.form_fields import uploaded_file_path
from library.validation import MediaRejected
from media_content import services
from media_content.forms import MediaDetailsForm, MediaUploadForm
from media_content.models import MediaContent
from media_content.views import library
from uploads.models import Upload
from uploads.services import UploadError, media_create_from_upload
from uploads.tus import STATUS


def media_json(media) -> dict:
    """The new post (``id``) and its file (``file_id``); a file only joining the library
    (``schedule_mode=library``) answers ``id`` null."""
    if not isinstance(media, MediaContent):
        return {
            "id": None,
            "file_id": media.pk,
            "title": media.title,
            "media_type": media.media_type,
            "content_type": media.content_type,
            "original_filename": media.original_filename,
            "size_bytes": media.size_bytes,
            "sha256": media.sha256,
            "width": media.width,
            "height": media.height,
            "status": "library",
            "media_url": media.media_url,
        }
    file = media.lead_file  # the upload's file (the seed's keys: the post's first file)
    return {
        "id": media.pk,
        "file_id": file.pk,
        "title": media.title,
        "description": media.description,
        "link_url": media.link_url,
        "post_to_facebook": media.post_to_facebook,
        "post_to_instagram": media.post_to_instagram,
        "post_to_banner": media.post_to_banner,
        "media_type": media.media_type,
        "content_type": file.content_type,
        "original_filename": file.original_filename,
        "size_bytes": file.size_bytes,
        "sha256": file.sha256,
        "width": file.width,
        "height": file.height,
        "status": media.status,
        "scheduled_post_time": (
            media.scheduled_post_time.isoformat() if media.scheduled_post_time else None
        ),
        "media_url": media.media_url,
    }


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _fail(
    request: HttpRequest, status: int, message: str, code: str, field: str = "__all__", **extra
) -> HttpResponse:
    """JSON ``{"error", "code", "errors": {field: [message]}}`` (the portal's error shape)."""
    if _wants_json(request):
        body = {"error": message, "code": code, "errors": {field: [message]}, **extra}
        return JsonResponse(body, status=status)
    messages.error(request, message)
    return redirect("media_content:library")


def _form_errors(request: HttpRequest, form) -> HttpResponse:
    rejection = getattr(form, "rejection", None)
    status = rejection.status if rejection else 400
    code = rejection.code if rejection else "invalid"
    errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    message = " ".join(message for errs in errors.values() for message in errs)
    return _fail(request, status, message, code, errors=errors)


def _duplicate(request: HttpRequest, error: services.DuplicateMedia) -> HttpResponse:
    message = (
        f"{error} Use the existing item, or send again with allow_duplicate=true "
        "to keep a second copy."
    )
    return _fail(
        request, 409, message, "duplicate", "media_file", existing=media_json(error.existing)
    )


def _refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Scheduling refused (a destination's checks failed): nothing was kept."""
    errors = error.message_dict
    message = " ".join(message for errs in errors.values() for message in errs)
    return _fail(request, 400, message, "refused", errors=errors)


def _created(request: HttpRequest, media: MediaContent, created: bool = True) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {**media_json(media), "created": created}, status=201 if created else 200
        )
    if created:
        messages.success(request, f"“{media.title}” was added to your library.")
    return redirect("media_content:library")


@organization_required
@require_POST
def media_create_view(request: HttpRequest) -> HttpResponse:
    """A regular upload: the file arrives in the request (Django streams it to a temp file)."""
    if refused := refusal_to_schedule(request):
        return refused  # a contributor asked to post or schedule: nothing is kept
    form = MediaUploadForm(request.POST, request.FILES, organization=request.organization)
    if not form.is_valid():
        return _form_errors(request, form)
    uploaded = form.cleaned_data["media_file"]
    try:
        with uploaded_file_path(uploaded) as path:
            media = services.media_create(
                organization=request.organization,
                created_by=request.user,
                path=path,
                original_filename=uploaded.name or "",
                sniffed=form.sniffed,
                details=form.media_details(),
                allow_duplicate=form.cleaned_data["allow_duplicate"],
            )
    except MediaRejected as error:
        return _fail(request, error.status, error.message, error.code, "media_file")
    except services.DuplicateMedia as error:
        return _duplicate(request, error)
    except ValidationError as error:
        return _refused(request, error)
    return _created(request, media)


@role_required(Action.DRAFT)  # and PUBLISH to post now or schedule
@require_POST
def complete_chunk_upload(request: HttpRequest) -> HttpResponse:
    """Turn a finished tus upload (``upload_id``) and the media fields into a media item."""
    if refused := refusal_to_schedule(request):
        return refused  # the upload is kept: send again as a draft
    upload_id = request.POST.get("upload_id", "").strip().rstrip("/").rsplit("/", 1)[-1]
    try:
        upload_uuid = uuid.UUID(upload_id)
    except ValueError:  # a malformed id is not found, like another dealership's
        upload_uuid = None
    upload = (
        Upload.objects.for_org(request.organization)
        .select_related("organization", "media_content")
        .filter(pk=upload_uuid)
        .first()
        if upload_uuid
        else None
    )
    if upload is None:
        return _fail(request, 404, "No such upload.", "not_found")
    if upload.state == Upload.State.CONSUMED and upload.media_content_id:
        return _created(request, upload.media_content, created=False)
    form = MediaDetailsForm(request.POST, organization=request.organization)
    if not form.is_valid():
        return _form_errors(request, form)
    try:
        media, created = media_create_from_upload(
            upload=upload,
            created_by=request.user,
            details=form.media_details(),
            allow_duplicate=form.cleaned_data["allow_duplicate"],
        )
    except MediaRejected as error:
        return _fail(request, error.status, error.message, error.code, "media_file")
    except UploadError as error:
        return _fail(request, STATUS.get(error.code, 400), error.message, error.code)
    except services.DuplicateMedia as error:
        return _duplicate(request, error)
    except ValidationError as error:
        return _refused(request, error)
    return _created(request, media, created)


@require_http_methods(["GET", "POST"])
@role_required(Action.VIEW, POST=Action.DRAFT)
def library_page(request: HttpRequest) -> HttpResponse:
    """The library page's URL: the page itself, and its form's regular (one-request) upload."""
    if request.method == "POST":
        return media_create_view(request)  # checks the role's right to schedule
    return library(request)
