"""The website embed, included under /embed/ (banners/embed_views.py)."""

from django.urls import path

from . import embed_views as views

app_name = "embed"

urlpatterns = [
    path("<str:public_key>/carousel.js", views.carousel_js, name="carousel_js"),
    path("<str:public_key>/carousel.html", views.carousel_html, name="carousel_html"),
    path("<str:public_key>/banners.json", views.banners_json, name="banners_json"),
    path("<str:public_key>/events", views.events, name="events"),
    path("<str:public_key>/go/<int:banner>", views.go, name="go"),
]
