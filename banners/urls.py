from django.urls import path

from . import views

app_name = "banners_site"

urlpatterns = [
    path("site/<slug:slug>/", views.demo_site, name="demo_site"),
]
