"""Local media files, served by Django when ``SERVE_MEDIA`` is on.

Like ``django.views.static.serve``, but a file's Content-Type and
Content-Disposition come from ``stored_files`` (the extension we generated),
never from a guess at its bytes, and the answer carries a policy that lets
nothing in it run (``sandbox``), so even a file stored before names were
checked cannot script the portal's origin. For production, serve media from
S3 or from a separate, cookieless host (README, "Serving media").
"""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from .stored_files import content_disposition_for, content_type_for

MEDIA_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"


@require_safe
def serve_media(request: HttpRequest, path: str) -> FileResponse | HttpResponseNotModified:
    if not settings.SERVE_MEDIA:
        raise Http404("Media files are not served by this server.")
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, path))
    except Exception:  # SuspiciousFileOperation: a path outside MEDIA_ROOT
        raise Http404("No such file.") from None
    if not full_path.is_file():
        raise Http404("No such file.")
    stat = full_path.stat()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        return HttpResponseNotModified()
    response = FileResponse(full_path.open("rb"), content_type=content_type_for(path))
    response["Content-Disposition"] = content_disposition_for(path)
    response["Content-Security-Policy"] = MEDIA_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Last-Modified"] = http_date(stat.st_mtime)
    # Stored names are random and never reused, so a cached copy never goes stale.
    response["Cache-Control"] = "public, max-age=86400"
    return response
