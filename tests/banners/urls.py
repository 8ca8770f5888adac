"""The project's URLs plus uploaded media, so that browser tests show real pictures."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from dealer_media.urls import urlpatterns as project_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [*project_urlpatterns, re_path(r"^media/(?P<path>.*)$", media)]
