"""Which of the library's files hold these bytes? Same size first, then the sha256.

Hashing every byte of every upload costs about as much CPU as receiving it (about
1 s per GiB here), and the answer is nearly always no. A file can only repeat one
of exactly its size, so the sha256 is computed when the file arrives only if
there is such a file (``same_bytes``); otherwise the worker computes it while it
processes the file, from the copy it reads anyway (``processing.services``).
Which files count as already in the library is the caller's to say.
"""

import hashlib
import os
from collections.abc import Iterable
from typing import Protocol

from .models import MediaFile

READ_SIZE = 1024 * 1024


class HashedWhereItLies(Protocol):
    """A finished upload that computes its own sha256 where it is stored (S3)."""

    def sha256(self) -> str: ...


Source = str | os.PathLike[str] | HashedWhereItLies


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Read once in 1 MiB blocks: constant memory whatever the size."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(READ_SIZE):
            digest.update(block)
    return digest.hexdigest()


def source_sha256(source: Source) -> str:
    """The sha256 of a local path, or of a finished upload read where it lies (S3)."""
    return source.sha256() if hasattr(source, "sha256") else file_sha256(source)


def stored_sha256(media: MediaFile) -> str:
    """A file's sha256, from its stored bytes when the worker has not computed it yet."""
    if media.sha256:
        return media.sha256
    digest = hashlib.sha256()
    with media.file.storage.open(media.file.name, "rb") as stored:
        while block := stored.read(READ_SIZE):
            digest.update(block)
    media.sha256 = digest.hexdigest()
    MediaFile.objects.filter(pk=media.pk, file=media.file.name, sha256="").update(
        sha256=media.sha256
    )
    return media.sha256


def same_bytes(
    candidates: Iterable[MediaFile], *, source: Source, sha256: str = ""
) -> tuple[MediaFile | None, str]:
    """The first of ``candidates`` (files of the source's size) with the source's bytes, or
    None, and the source's sha256 if computed.

    ``sha256`` may be given when the caller has it; it is computed here only when
    there is a candidate, and then so is a candidate's when it has none yet (a file
    not processed yet).
    """
    candidates = list(candidates)
    if not candidates:
        return None, sha256
    sha256 = sha256 or source_sha256(source)
    for file in candidates:
        if stored_sha256(file) == sha256:
            return file, sha256
    return None, sha256
