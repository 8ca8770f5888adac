"""Where partial uploads keep their bytes until they are finished.

One interface, ``PartialUploadStore``, two stores: ``LocalUploadStore`` keeps
one file per upload in a directory (``settings.TUS_UPLOAD_DIR``, one web
host); ``s3store.S3UploadStore`` keeps the bytes in an S3 multipart upload, so
any web server can take the next PATCH.

Durability: ``ChunkWriter.commit`` makes the bytes durable (fsync; S3's
acknowledgement) before it returns, and callers record the new offset in the
database only after that, so every acknowledged byte is stored. Bytes past the
recorded offset (a crash between the write and the database update) are cut
off by the next writer.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from library.validation import LocalSource, MediaSource
from uploads.models import Upload


class ChunkWriter(Protocol):
    def write(self, data: bytes) -> None:
        """``data`` may be a view of a reused buffer: copy what is kept past the call."""

    def commit(self) -> dict:
        """Make everything written durable; answer the Upload fields to save with the offset."""

    def discard(self) -> None:
        """Forget everything written since the writer was opened."""

    def committed(self) -> None:
        """The new offset is in the database: what it replaced may go."""


class PartialUploadStore(Protocol):
    """Where an unfinished upload's bytes wait: every store answers these calls."""

    def create(self, upload: Upload) -> None: ...

    def writer(self, upload: Upload) -> contextlib.AbstractContextManager[ChunkWriter]:
        """Append at ``upload.offset`` (the durable offset; anything after it is dropped)."""

    def head(self, upload: Upload, size: int) -> bytes:
        """The first ``size`` stored bytes (at most the offset)."""

    def media_source(self, upload: Upload) -> contextlib.AbstractContextManager[MediaSource]:
        """The finished upload's bytes, to check and keep as a media item's file."""

    def delete(self, upload: Upload) -> None:
        """Remove every byte of the upload (termination, expiry, consumed, rejected)."""


# Linux: ask the kernel to start writing a block back as soon as it is written, so the
# disk works while the next block arrives and the fsync at the end of the PATCH waits
# only for the last of it (the fsync, not this, is what makes the bytes durable).
_START_WRITEBACK = getattr(os, "POSIX_FADV_DONTNEED", None)


class _LocalChunkWriter:
    def __init__(self, file: BinaryIO, offset: int):
        self._file = file
        self._offset = offset

    def write(self, data: bytes) -> None:
        self._file.write(data)
        if _START_WRITEBACK is not None:
            self._file.flush()
            os.posix_fadvise(self._file.fileno(), self._offset, 0, _START_WRITEBACK)

    def commit(self) -> dict:
        self._file.flush()
        os.fsync(self._file.fileno())
        return {}

    def discard(self) -> None:
        self._file.truncate(self._offset)
        self.commit()

    def committed(self) -> None:
        pass


class LocalUploadStore:
    """One file per upload in ``TUS_UPLOAD_DIR``: the embedded default (one web host)."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory or settings.TUS_UPLOAD_DIR)

    def path(self, upload: Upload) -> Path:
        return self.directory / f"{upload.pk}.part"

    def create(self, upload: Upload) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.path(upload), "xb") as file:
            os.fsync(file.fileno())
        self._fsync_directory()

    @contextlib.contextmanager
    def writer(self, upload: Upload) -> Iterator[ChunkWriter]:
        with open(self.path(upload), "r+b") as file:
            file.truncate(upload.offset)  # drop bytes nobody acknowledged
            file.seek(upload.offset)
            yield _LocalChunkWriter(file, upload.offset)

    def head(self, upload: Upload, size: int) -> bytes:
        with open(self.path(upload), "rb") as file:
            return file.read(min(size, upload.offset))

    def open(self, upload: Upload) -> BinaryIO:
        return open(self.path(upload), "rb")

    @contextlib.contextmanager
    def media_source(self, upload: Upload) -> Iterator[MediaSource]:
        yield LocalSource(self.path(upload))

    def delete(self, upload: Upload) -> None:
        self.path(upload).unlink(missing_ok=True)

    def _fsync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


STORES = {
    "local": "uploads.store.LocalUploadStore",
    "s3": "uploads.s3store.S3UploadStore",
}


def get_store() -> PartialUploadStore:
    """The configured store: ``settings.TUS_STORE``, ``local`` or ``s3``."""
    return import_string(STORES[settings.TUS_STORE])()
