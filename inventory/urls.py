"""The portal's inventory pages, included under /marketing/."""

from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("inventory", views.inventory, name="list"),
    path("inventory/settings", views.inventory_settings, name="settings"),
    path("inventory/upload", views.inventory_upload, name="upload"),
    path("inventory/fetch", views.inventory_fetch, name="fetch"),
]
