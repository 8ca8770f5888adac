"""Deploy checks of how user media reach browsers."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def local_media_served_check(app_configs, **kwargs):
    """Local media with DEBUG off and SERVE_MEDIA off reach no one: thumbnails and banners break."""
    if settings.DEBUG or settings.MEDIA_STORAGE != "local" or settings.SERVE_MEDIA:
        return []
    if urlsplit(settings.MEDIA_URL).netloc:
        return []  # another host serves MEDIA_ROOT at MEDIA_URL
    return [
        checks.Warning(
            f"Media files are stored on the local disk ({settings.MEDIA_ROOT}) but nothing "
            f"serves them at {settings.MEDIA_URL}: thumbnails, previews, banners and the "
            "website carousel will not load.",
            hint=(
                "Use MEDIA_STORAGE=s3; or serve MEDIA_ROOT from a web server on a separate "
                "host and set MEDIA_URL to it (https://media.example.com/); or set "
                "SERVE_MEDIA=true to let Django serve them (one small host). See the README, "
                "'Serving media'."
            ),
            id="media_content.W001",
        )
    ]
