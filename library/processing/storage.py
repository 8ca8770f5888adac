"""Files: a local path for ffmpeg and Pillow, and deletion only after the commit."""

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def local_path(field_file: FieldFile) -> Iterator[str]:
    """The file on local disk: its own path on FileSystemStorage, a temporary copy from S3."""
    storage = field_file.storage
    try:
        path = storage.path(field_file.name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    suffix = os.path.splitext(field_file.name)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with storage.open(field_file.name, "rb") as remote:
            shutil.copyfileobj(remote, copy, length=1024 * 1024)
        copy.flush()
        yield copy.name


def _still_referenced(name: str) -> bool:
    """Banners made from a library item share its files by name (banners.services)."""
    from django.apps import apps

    Banner = apps.get_model("banners", "Banner")  # by name: banners' models import this module

    return (
        Banner.objects.filter(thumbnail=name).exists() or Banner.objects.filter(image=name).exists()
    )


def delete_files_on_commit(names: Iterable[str]) -> None:
    """Delete stored files once the rows that named them are gone for good.

    A rolled-back transaction keeps its rows, so it must keep their files too.
    """
    names = [name for name in names if name]
    if not names:
        return

    def _delete() -> None:
        for name in names:
            if _still_referenced(name):
                continue
            try:
                default_storage.delete(name)
            except Exception:
                logger.exception("Could not delete stored file %s", name)

    transaction.on_commit(_delete)
