"""The portal's inventory pages, included under /marketing/."""

from django.urls import path

from . import import_views, rule_views, views

app_name = "inventory"

urlpatterns = [
    path("inventory", views.inventory, name="list"),
    path("inventory/settings", views.inventory_settings, name="settings"),
    path("inventory/upload", views.inventory_upload, name="upload"),
    path("inventory/fetch", views.inventory_fetch, name="fetch"),
    path("inventory/<int:pk>/post", views.vehicle_post, name="vehicle_post"),
    path("inventory/<int:pk>/reel", views.vehicle_reel, name="vehicle_reel"),
    path("inventory/rules/preview", rule_views.caption_preview, name="caption_preview"),
    path("inventory/rules/<str:kind>", rule_views.rule_save, name="rule_save"),
    path("inventory/posting-times", rule_views.posting_times_save, name="posting_times"),
    path("inventory/brand", rule_views.brand_save, name="brand"),
    path("inventory/columns", import_views.columns_save, name="columns"),
    path("inventory/sample.csv", import_views.sample_csv, name="sample_csv"),
    path(
        "inventory/runs/<int:pk>/<str:decision>",
        import_views.held_run_decide,
        name="held_run_decide",
    ),
]
