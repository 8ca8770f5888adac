"""Browser tests only: the project's URLs plus the uploaded files (so thumbnails load)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from dealer_media.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
