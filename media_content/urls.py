from django.urls import path

from . import views

app_name = "media_content"

urlpatterns = [
    path("media", views.library, name="library"),
]
