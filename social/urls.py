from django.urls import path

from . import connection_views as views
from . import meta_callbacks

app_name = "social"

urlpatterns = [
    path("marketing/connections", views.connections_page, name="connections"),
    path("marketing/connections/check", views.check_now, name="check_now"),
    path("marketing/connections/facebook/start", views.facebook_start, name="facebook_start"),
    path(
        "marketing/connections/facebook/callback",
        views.facebook_callback,
        name="facebook_callback",
    ),
    path("marketing/connections/facebook/pages", views.facebook_pages, name="facebook_pages"),
    path(
        "marketing/connections/facebook/disconnect",
        views.facebook_disconnect,
        name="facebook_disconnect",
    ),
    path("marketing/connections/instagram/start", views.instagram_start, name="instagram_start"),
    path(
        "marketing/connections/instagram/callback",
        views.instagram_callback,
        name="instagram_callback",
    ),
    path(
        "marketing/connections/instagram/disconnect",
        views.instagram_disconnect,
        name="instagram_disconnect",
    ),
    # Meta's required callbacks (the app dashboard names them; no sign-in, no CSRF token).
    path(
        "meta/<str:provider>/deauthorize",
        meta_callbacks.deauthorize,
        name="meta_deauthorize",
    ),
    path(
        "meta/<str:provider>/data-deletion",
        meta_callbacks.data_deletion,
        name="meta_data_deletion",
    ),
    path("meta/deletion/<str:code>", meta_callbacks.deletion_status, name="meta_deletion_status"),
]
