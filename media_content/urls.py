from django.urls import path

from . import views
from .uploads import tus
from .uploads import views as upload_views

app_name = "media_content"

urlpatterns = [
    path("media", views.library, name="library"),
    path("uploads/", tus.TusView.as_view(), name="tus_collection"),
    path("uploads/<uuid:upload_id>", tus.TusView.as_view(), name="tus_upload"),
    path(
        "complete-chunk-upload",
        upload_views.complete_chunk_upload,
        name="complete_chunk_upload",
    ),
]
