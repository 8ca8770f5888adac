from django.urls import path

from social.views import media_refresh
from uploads import tus
from uploads import views as upload_views

from . import approval_views, file_views, item_views, post_views, views

app_name = "media_content"

urlpatterns = [
    # The library page; its form's upload (a POST) is the uploads app's.
    path("media", upload_views.library_page, name="library"),
    path("media/compose", item_views.media_compose, name="compose"),
    path("media/<int:pk>/items", item_views.media_items, name="items"),
    path("media/<int:pk>/refresh", media_refresh, name="media_refresh"),
    path("media/<int:pk>/get", views.media_get, name="get"),
    path("media/<int:pk>/update", views.media_update, name="update"),
    path("media/<int:pk>/delete", views.media_delete, name="delete"),
    path("media/<int:pk>/retry", views.media_retry, name="retry"),
    path("media/<int:pk>/publish", post_views.media_publish, name="publish"),
    path("media/<int:pk>/schedule", post_views.media_schedule, name="schedule"),
    path("media/<int:pk>/duplicate", post_views.media_duplicate, name="duplicate"),
    path("files", file_views.file_library, name="files"),
    path("files/<int:pk>/get", file_views.file_get, name="file_get"),
    path("files/<int:pk>/delete", file_views.file_delete, name="file_delete"),
    path("media/<int:pk>/approval", approval_views.approval_page, name="approval"),
    path("media/<int:pk>/ribbon/remove", approval_views.ribbon_remove, name="ribbon_remove"),
    path("media/<int:pk>/submit", approval_views.approval_submit, name="approval_submit"),
    path("media/<int:pk>/approve", approval_views.approval_approve, name="approval_approve"),
    path("media/<int:pk>/send-back", approval_views.approval_send_back, name="approval_send_back"),
    path("media/<int:pk>/preview-links", approval_views.preview_link_create, name="preview_create"),
    path(
        "media/<int:pk>/preview-links/<int:link_id>/revoke",
        approval_views.preview_link_revoke,
        name="preview_revoke",
    ),
    path("history", views.history, name="history"),
    path("calendar", views.calendar, name="calendar"),
    path("uploads/", tus.TusView.as_view(), name="tus_collection"),
    path("uploads/<uuid:upload_id>", tus.TusView.as_view(), name="tus_upload"),
    path(
        "complete-chunk-upload",
        upload_views.complete_chunk_upload,
        name="complete_chunk_upload",
    ),
]
