"""Where partial uploads keep their bytes until they are finished.

One small interface, ``PartialUploadStore``, so that an S3-multipart store can
follow for deployments with several web servers. ``LocalUploadStore`` keeps
one file per upload in a directory (``settings.TUS_UPLOAD_DIR``).

Durability: ``ChunkWriter.commit`` flushes and fsyncs before it returns, and
callers record the new offset in the database only after that, so every
acknowledged byte is on disk. Bytes past the recorded offset (a crash between
the write and the database update) are cut off by the next writer.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class ChunkWriter(Protocol):
    def write(self, data: bytes) -> None: ...

    def commit(self) -> None:
        """Make everything written durable."""

    def discard(self) -> None:
        """Forget everything written since the writer was opened."""


class PartialUploadStore(Protocol):
    def create(self, upload_id: str) -> None: ...

    def writer(self, upload_id: str, offset: int) -> contextlib.AbstractContextManager[ChunkWriter]:
        """Append at ``offset`` (the durable offset; anything after it is dropped)."""

    def open(self, upload_id: str) -> BinaryIO: ...

    def local_path(self, upload_id: str) -> contextlib.AbstractContextManager[Path]:
        """A local file holding the bytes (ffmpeg and Pillow need a path)."""

    def delete(self, upload_id: str) -> None: ...

    def exists(self, upload_id: str) -> bool: ...


class _LocalChunkWriter:
    def __init__(self, file: BinaryIO, offset: int):
        self._file = file
        self._offset = offset

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def commit(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def discard(self) -> None:
        self._file.truncate(self._offset)
        self.commit()


class LocalUploadStore:
    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory or settings.TUS_UPLOAD_DIR)

    def _path(self, upload_id: str) -> Path:
        name = str(upload_id)
        if not name.replace("-", "").isalnum():
            raise ValueError("bad upload id")
        return self.directory / f"{name}.part"

    def create(self, upload_id: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(upload_id)
        with open(path, "xb") as file:
            os.fsync(file.fileno())
        self._fsync_directory()

    @contextlib.contextmanager
    def writer(self, upload_id: str, offset: int) -> Iterator[ChunkWriter]:
        with open(self._path(upload_id), "r+b") as file:
            file.truncate(offset)  # drop bytes nobody acknowledged
            file.seek(offset)
            yield _LocalChunkWriter(file, offset)

    def open(self, upload_id: str) -> BinaryIO:
        return open(self._path(upload_id), "rb")

    @contextlib.contextmanager
    def local_path(self, upload_id: str) -> Iterator[Path]:
        yield self._path(upload_id)

    def delete(self, upload_id: str) -> None:
        self._path(upload_id).unlink(missing_ok=True)

    def exists(self, upload_id: str) -> bool:
        return self._path(upload_id).exists()

    def _fsync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def get_store() -> PartialUploadStore:
    """The configured store (``settings.TUS_UPLOAD_STORE``, a dotted class path)."""
    backend = getattr(settings, "TUS_UPLOAD_STORE", "media_content.uploads.store.LocalUploadStore")
    return import_string(backend)()
