"""The portal's inventory pages, included under /marketing/."""

from django.urls import path

from . import import_views, rule_views, views
from .catalogs import pages as catalog_pages

app_name = "inventory"

urlpatterns = [
    path("inventory", views.inventory, name="list"),
    path("inventory/settings", views.inventory_settings, name="settings"),
    path("inventory/upload", import_views.inventory_upload, name="upload"),
    path("inventory/upload/discard", import_views.kept_upload_discard, name="kept_discard"),
    path("inventory/fetch", views.inventory_fetch, name="fetch"),
    path("inventory/<int:pk>/post", views.vehicle_post, name="vehicle_post"),
    path("inventory/<int:pk>/reel", views.vehicle_reel, name="vehicle_reel"),
    path("inventory/rules/preview", rule_views.caption_preview, name="caption_preview"),
    path("inventory/rules/<str:kind>", rule_views.rule_save, name="rule_save"),
    path("inventory/posting-times", rule_views.posting_times_save, name="posting_times"),
    path("inventory/brand", rule_views.brand_save, name="brand"),
    path("inventory/columns", import_views.columns_save, name="columns"),
    path("inventory/sample.csv", import_views.sample_csv, name="sample_csv"),
    path("catalogs", catalog_pages.catalogs, name="catalogs"),
    path("catalogs/rotate", catalog_pages.catalogs_rotate, name="catalogs_rotate"),
    path("catalogs/settings", catalog_pages.catalogs_settings, name="catalogs_settings"),
    path("catalogs/dealership", catalog_pages.dealership_save, name="dealership"),
    path(
        "inventory/runs/<int:pk>/<str:decision>",
        import_views.held_run_decide,
        name="held_run_decide",
    ),
]
