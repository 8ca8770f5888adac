"""The carousel's display copy of a banner: a JPEG at most DISPLAY_WIDTH wide.

Dealers upload camera-sized images; the website should not send them to every
visitor. The copy is made by a task after the banner is saved (never in the
request), through the same image pieces as the library's renditions. It is
written only if the banner still has the image it was made from, and the
website's cache of active banners is invalidated then.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from dealer_media import broker
from library.processing import ProcessingFailed
from library.processing.storage import delete_files_on_commit, local_path
from library.processing.thumbnails import encode_jpeg, open_reduced

from .cache import invalidate_active_banners
from .models import Banner

logger = logging.getLogger(__name__)

DISPLAY_WIDTH = 1280  # the carousel's widest common slot; the original stays in the srcset
DISPLAY_QUALITY = 82


def needs_display(banner: Banner) -> bool:
    """Wider than the display copy (or of unknown width) and without one yet."""
    if not banner.image or banner.display:
        return False
    return banner.image_width is None or banner.image_width > DISPLAY_WIDTH


def request_display(*, banner: Banner) -> None:
    """Make the display copy after the commit; a broker that is down only loses a lighter copy."""
    broker.send_on_commit(broker.MAKE_BANNER_DISPLAY, banner.pk)


def banner_display_make(*, banner_id: int) -> Banner | None:
    banner = Banner.objects.filter(pk=banner_id).first()
    if banner is None or not needs_display(banner):
        return banner
    source = banner.image.name
    try:
        with local_path(banner.image) as path:
            image = open_reduced(path, (DISPLAY_WIDTH, DISPLAY_WIDTH * 8))
            image.thumbnail((DISPLAY_WIDTH, DISPLAY_WIDTH * 8), Image.Resampling.LANCZOS)
            data = encode_jpeg(image, quality=DISPLAY_QUALITY)
    except (ProcessingFailed, FileNotFoundError) as error:
        # The website keeps showing the original; nothing to retry.
        logger.warning("No display copy for banner %s: %s", banner_id, error)
        return banner
    field = Banner._meta.get_field("display")
    name = field.storage.save(field.generate_filename(banner, "display.jpg"), ContentFile(data))
    with transaction.atomic():
        written = Banner.objects.filter(pk=banner_id, image=source, display="").update(
            display=name, display_width=image.width, display_height=image.height
        )
        if written:
            invalidate_active_banners(banner.organization_id)
        else:  # the image was replaced or deleted meanwhile: its own task makes the copy
            delete_files_on_commit([name])
    banner.refresh_from_db()
    return banner
