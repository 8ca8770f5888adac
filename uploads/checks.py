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


@checks.register()
def s3_upload_size_check(app_configs, **kwargs):
    """S3 takes at most 10,000 parts: with 5 MiB parts, an upload of more can never finish."""
    if settings.TUS_STORE != "s3":
        return []
    from uploads.s3store import MAX_PARTS, PART_SIZE

    if settings.TUS_MAX_SIZE <= MAX_PARTS * PART_SIZE:
        return []
    return [
        checks.Error(
            f"TUS_MAX_SIZE is {settings.TUS_MAX_SIZE} bytes, but uploads kept on S3 in "
            f"{PART_SIZE // (1024 * 1024)} MiB parts can be at most {MAX_PARTS * PART_SIZE} "
            "bytes (10,000 parts).",
            hint="Lower TUS_MAX_SIZE (or UPLOAD_MAX_VIDEO_SIZE).",
            id="media_content.E001",
        )
    ]
