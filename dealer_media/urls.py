import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from banners import views as banner_views
from dealer_media import favicon, media_views
from dealer_media.accounts import password_reset
from dealer_media.ops import health
from dealer_media.tenancy import team_urls
from dealer_media.tenancy import views as tenancy_views
from inventory.catalogs import views as catalog_views
from media_content import approval_views

urlpatterns = [
    # A dealer's host name shows its website's homepage; any other host the portal.
    path("", banner_views.site_root, name="home"),
    path("", include("banners.urls")),
    path("favicon.ico", favicon.favicon, name="favicon"),  # asked for by browsers on every site
    path("admin/", admin.site.urls),
    # Operations: for load balancers and monitoring, no sign-in (dealer_media/ops/health.py).
    path("health/", health.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(team_urls.accounts)),  # invitations
    path(
        "accounts/password_reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),  # reset done, confirm, complete
    path(
        "marketing/organization",
        tenancy_views.switch_organization,
        name="switch_organization",
    ),
    path("", include("social.urls")),
    path("marketing/", include("media_content.urls")),
    path("marketing/", include("banners.portal_urls")),
    path("marketing/", include(team_urls.marketing)),  # the Team page
    path("marketing/", include("inventory.urls")),  # the inventory pages
    path("preview/<str:token>", approval_views.preview, name="preview"),  # no sign-in
    # The website embed for dealer sites not built on this project (no sign-in, no cookies).
    path("embed/", include("banners.embed_urls")),
    # The vehicle catalogs Meta, Google and TikTok fetch (no sign-in; the token is the key).
    path(
        "catalog/<str:token>/photo/<int:pk>.jpg", catalog_views.catalog_photo, name="catalog_photo"
    ),
    path("catalog/<str:token>/<str:name>", catalog_views.catalog_file, name="catalog_file"),
]

_media_prefix = urlsplit(settings.MEDIA_URL).path.lstrip("/")
if settings.MEDIA_STORAGE == "local" and _media_prefix:
    # Local files; the view answers 404 unless SERVE_MEDIA is on (an absolute MEDIA_URL
    # means another host serves them, and this route only answers with SERVE_MEDIA).
    urlpatterns += [
        re_path(
            rf"^{re.escape(_media_prefix)}(?P<path>.+)$",
            media_views.serve_media,
            name="media",
        )
    ]
