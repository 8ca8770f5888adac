"""The tus 1.0.0 server: HTTP in, ``uploads.services`` calls, HTTP out.

Mounted at ``/marketing/uploads/`` (the collection) and
``/marketing/uploads/<id>`` (one upload). Extensions: creation,
creation-with-upload, termination, checksum, expiration. CSRF is checked by
Django's middleware like every portal POST/PATCH/DELETE (tus clients send the
token in the X-CSRFToken header with the session cookie).
"""

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views import View

from dealer_media.tenancy.roles import (
    REFUSALS,
    Action,
    ViewRoles,
    every_member_may,
    may,
    request_membership,
)
from uploads.body import body_reader
from uploads.headers import (
    CHECKSUM_ALGORITHMS,
    BadHeader,
    TooManyDigits,
    encode_metadata,
    parse_checksum,
    parse_count,
    parse_metadata,
)
from uploads.models import Upload
from uploads.services import (
    UploadError,
    upload_append,
    upload_create,
    upload_delete,
    upload_terminate,
    upload_too_large,
)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"
OCTET_STREAM = "application/offset+octet-stream"
# The HTTP status of each refusal of the upload services, by its code (else 400).
STATUS = {
    "too_large": 413,
    "too_many_bytes": 413,
    "unsupported_type": 415,
    "offset_mismatch": 409,
    "complete": 409,
    "incomplete": 409,
    "locked": 423,
    "too_many_open_uploads": 429,
    "too_many_open_bytes": 429,
    "checksum_mismatch": 460,
}
# X-HTTP-Method-Override: what each real method may stand for (clients behind proxies).
OVERRIDES = {"POST": {"PATCH", "DELETE", "HEAD", "OPTIONS"}, "GET": {"OPTIONS"}}


def _answer(status: int, headers: dict | None = None, body: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body) if body else b"",
        status=status,
        content_type="application/json" if body else "text/plain",
    )
    response["Tus-Resumable"] = TUS_VERSION
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(status: int, message: str, code: str = "invalid", method: str = "") -> HttpResponse:
    body = None if method == "HEAD" else {"error": message, "code": code}
    return _answer(status, body=body)


def _int_header(request: HttpRequest, name: str) -> int | None:
    value = request.headers.get(name)
    if value is None or value == "":
        return None
    return parse_count(value, name=name)


def _expires(upload: Upload) -> str:
    return http_date(upload.expires_at.timestamp())


class TusView(View):
    http_method_names = ["get", "post", "head", "patch", "delete", "options"]
    # Uploading is drafting; OPTIONS (the server's capabilities) needs no sign-in.
    view_roles = ViewRoles(Action.DRAFT)

    def dispatch(self, request: HttpRequest, upload_id=None) -> HttpResponse:
        method = request.method
        override = request.headers.get("X-HTTP-Method-Override", "").upper()
        if override in OVERRIDES.get(method, ()):
            method = override
        if method == "OPTIONS":
            return self.options(request)
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            response = _error(412, f"This server speaks tus {TUS_VERSION}.", "version", method)
            response["Tus-Version"] = TUS_VERSION
            return response
        if not request.user.is_authenticated:
            return _error(401, "Sign in to upload.", "unauthenticated", method)
        # Acting for a dealership means being its member (or a superuser): enough for what
        # every member may do, so a PATCH looks up no membership (a statement per chunk).
        needed = self.view_roles.action_for(method)
        if (
            request.organization is not None
            and not every_member_may(needed)
            and not may(request_membership(request), needed)
        ):
            return _error(403, REFUSALS[needed], "forbidden", method)
        try:
            if upload_id is None:
                if method != "POST":
                    return _error(405, "Only POST creates an upload here.", "method", method)
                if request.organization is None:
                    return _error(403, "You are not a member of a dealership.", "forbidden")
                return self.create(request)
            upload = self._find(request, upload_id)
            if upload is None:
                return _error(404, "No such upload.", "not_found", method)
            if upload.expires_at < timezone.now():
                upload_delete(upload=upload)
                return _error(410, "This upload expired and was deleted.", "expired", method)
            if method in {"HEAD", "GET"}:
                return self.head(request, upload)
            if method == "PATCH":
                return self.patch(request, upload)
            if method == "DELETE":
                upload_terminate(upload=upload)
                return _answer(204)
            return _error(405, f"{method} is not allowed on an upload.", "method", method)
        except UploadError as error:
            return _error(STATUS.get(error.code, 400), error.message, error.code, method)
        except BadHeader as error:
            return _error(400, error.message, error.code, method)

    def _find(self, request: HttpRequest, upload_id) -> Upload | None:
        # Tenancy: another dealership's upload (or no dealership) is simply not found.
        return Upload.objects.for_org(request.organization).filter(pk=upload_id).first()

    def options(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = HttpResponse(status=204)
        response["Tus-Resumable"] = TUS_VERSION
        response["Tus-Version"] = TUS_VERSION
        response["Tus-Extension"] = TUS_EXTENSIONS
        response["Tus-Max-Size"] = str(settings.TUS_MAX_SIZE)
        response["Tus-Checksum-Algorithm"] = ",".join(CHECKSUM_ALGORITHMS)
        return response

    def create(self, request: HttpRequest) -> HttpResponse:
        if "Upload-Concat" in request.headers:
            raise BadHeader(
                "Upload-Concat is not supported: this server does not join uploads. "
                "Upload the whole file as one upload.",
                code="concatenation",
            )
        if request.headers.get("Upload-Defer-Length"):
            raise BadHeader("Upload-Defer-Length is not supported; send Upload-Length.")
        try:
            length = _int_header(request, "Upload-Length")
        except TooManyDigits:
            raise upload_too_large() from None
        if length is None:
            raise BadHeader("Upload-Length is required.")
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
        # Every header is read before the upload exists: a refusal leaves no row behind.
        first_chunk = request.content_type == OCTET_STREAM and bool(
            _int_header(request, "Content-Length")
        )
        checksum = parse_checksum(request.headers.get("Upload-Checksum", ""))
        upload = upload_create(
            organization=request.organization,
            created_by=request.user,
            length=length,
            metadata=metadata,
        )
        headers = {
            "Location": request.build_absolute_uri(
                reverse("media_content:tus_upload", args=[upload.pk])
            ),
            "Upload-Expires": _expires(upload),
        }
        if first_chunk:
            # creation-with-upload: the POST carries the first chunk.
            try:
                upload = self._append(request, upload, offset=0, checksum=checksum)
            except UploadError:
                # A refusal carries no Location, so nobody could resume this upload.
                upload_delete(upload=upload)
                raise
            headers["Upload-Offset"] = str(upload.offset)
        return _answer(201, headers)

    def head(self, request: HttpRequest, upload: Upload) -> HttpResponse:
        headers = {
            "Upload-Offset": str(upload.offset),
            "Upload-Length": str(upload.length),
            "Cache-Control": "no-store",
            "Upload-Expires": _expires(upload),
        }
        if upload.metadata:
            headers["Upload-Metadata"] = encode_metadata(upload.metadata)
        return _answer(200, headers)

    def patch(self, request: HttpRequest, upload: Upload) -> HttpResponse:
        if request.content_type != OCTET_STREAM:
            return _error(415, f"PATCH needs Content-Type: {OCTET_STREAM}.", "content_type")
        offset = _int_header(request, "Upload-Offset")
        if offset is None:
            raise BadHeader("Upload-Offset is required.")
        checksum = parse_checksum(request.headers.get("Upload-Checksum", ""))
        upload = self._append(request, upload, offset=offset, checksum=checksum)
        return _answer(
            204, {"Upload-Offset": str(upload.offset), "Upload-Expires": _expires(upload)}
        )

    def _append(self, request: HttpRequest, upload: Upload, *, offset: int, checksum) -> Upload:
        content_length = _int_header(request, "Content-Length")
        return upload_append(
            upload=upload,
            offset=offset,
            read=body_reader(request, content_length),
            content_length=content_length,
            checksum=checksum,
        )
