"""A small tus 1.0 server for the browser tests of the upload UI's resumable path.

Not the product's server (the uploads work owns /marketing/uploads/): it lets
the tests drive tus-js-client through pause, resume and reload, and records the
offset of every PATCH so a test can see that a resume did not start over.
CSRF is enforced as on any Django POST/PATCH, so the X-CSRFToken header counts.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.http import HttpRequest, HttpResponse, JsonResponse

from media_content.models import MediaContent

UPLOADS: dict[str, dict] = {}
PATCH_OFFSETS: list[tuple[str, int]] = []


def _answer(status: int, **headers) -> HttpResponse:
    response = HttpResponse(status=status)
    response["Tus-Resumable"] = "1.0.0"
    for name, value in headers.items():
        response[name.replace("_", "-")] = str(value)
    return response


def _path(upload_id: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "tus-fake"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / upload_id


def collection(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _answer(204, Tus_Version="1.0.0", Tus_Extension="creation")
    if request.method != "POST":
        return _answer(405)
    upload_id = secrets.token_hex(8)
    UPLOADS[upload_id] = {
        "length": int(request.headers["Upload-Length"]),
        "metadata": request.headers.get("Upload-Metadata", ""),
    }
    _path(upload_id).write_bytes(b"")
    return _answer(201, Location=f"/test-tus/{upload_id}")


def resource(request: HttpRequest, upload_id: str) -> HttpResponse:
    upload = UPLOADS.get(upload_id)
    if upload is None:
        return _answer(404)
    path = _path(upload_id)
    offset = path.stat().st_size
    if request.method == "HEAD":
        return _answer(
            200, Upload_Offset=offset, Upload_Length=upload["length"], Cache_Control="no-store"
        )
    if request.method != "PATCH":
        return _answer(405)
    if request.headers.get("Content-Type") != "application/offset+octet-stream":
        return _answer(415)
    if int(request.headers["Upload-Offset"]) != offset:
        return _answer(409)
    PATCH_OFFSETS.append((upload_id, offset))
    body = request.read()[: upload["length"] - offset]  # not .body: chunks exceed its cap
    with path.open("ab") as stored:
        stored.write(body)
    return _answer(204, Upload_Offset=offset + len(body))


def complete(request: HttpRequest) -> JsonResponse:
    """Turn a finished upload into a library item, as complete-chunk-upload will."""
    upload_id = request.POST["upload_id"]
    upload = UPLOADS[upload_id]
    path = _path(upload_id)
    if path.stat().st_size != upload["length"]:
        return JsonResponse({"errors": {"upload_id": ["The upload is not finished."]}}, status=400)
    with path.open("rb") as source:
        item = MediaContent(
            organization=request.organization,
            title=request.POST["title"],
            media_type=MediaContent.MediaType.VIDEO,
            original_filename="upload.mp4",
            size_bytes=upload["length"],
        )
        item.file.save("upload.mp4", File(source), save=True)
    return JsonResponse({"id": item.pk}, status=201)
