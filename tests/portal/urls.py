"""Browser tests only: the project's URLs, the uploaded files (so thumbnails load),
and a small tus server for the upload UI's resumable path (tus_fake)."""

from django.conf import settings
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_protect
from django.views.static import serve

from dealer_media.tenancy.decorators import organization_required
from dealer_media.urls import urlpatterns as project_urlpatterns

from . import tus_fake

urlpatterns = [
    *project_urlpatterns,
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("test-tus/", csrf_protect(tus_fake.collection)),
    path("test-tus/<str:upload_id>", csrf_protect(tus_fake.resource)),
    path("test-tus-complete", organization_required(tus_fake.complete)),
]
