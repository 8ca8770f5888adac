from django.urls import path

from social.views import media_refresh

from . import views

app_name = "media_content"

urlpatterns = [
    path("media", views.library, name="library"),
    path("media/<int:pk>/refresh", media_refresh, name="media_refresh"),
]
