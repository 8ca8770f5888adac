import pytest
from django.core.files.base import ContentFile

from library.processing.services import request_processing
from media_content.models import MediaContent

from ..factories import MediaContentFactory
from .media import colour_change_mp4, image_bytes


@pytest.fixture
def make_media(sunrise):
    """A saved media item of Sunrise Motors holding ``data`` as its file, not yet processed."""

    def _make(data: bytes, name: str, media_type: str = MediaContent.MediaType.IMAGE, **fields):
        return MediaContentFactory(
            organization=sunrise,
            file=ContentFile(data, name=name),
            media_type=media_type,
            original_filename=name,
            **(
                {
                    "size_bytes": len(data),
                    "processing_status": MediaContent.ProcessingStatus.PENDING,
                    "container": "",
                    "width": None,
                    "height": None,
                }
                | fields
            ),
        )

    return _make


@pytest.fixture
def process(django_capture_on_commit_callbacks):
    """Request processing and run the (eager) Celery task as the commit would."""

    def _process(media: MediaContent) -> MediaContent:
        with django_capture_on_commit_callbacks(execute=True):
            request_processing(media=media.lead_file)
        media.refresh_from_db()
        return media

    return _process


@pytest.fixture
def video_bytes(tmp_path):
    def _video(**options) -> bytes:
        return colour_change_mp4(tmp_path / "clip.mp4", **options).read_bytes()

    return _video


@pytest.fixture
def photo():
    return image_bytes
