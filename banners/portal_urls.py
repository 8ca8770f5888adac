"""The portal's banner pages, included under /marketing/."""

from django.urls import path

from . import portal_views as views

app_name = "banners"

urlpatterns = [
    path("banners", views.banners, name="list"),
    path("banners/reorder", views.banners_reorder, name="reorder"),
    path("banners/embed-key/rotate", views.embed_key_rotate_view, name="embed_key_rotate"),
    path("banners/<int:pk>/update", views.banner_update, name="update"),
    path("banners/<int:pk>/delete", views.banner_delete, name="delete"),
]
