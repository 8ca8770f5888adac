"""Is this file already in the dealership's library? Same bytes means same size first.

Hashing every byte of every upload costs about as much CPU as receiving it (about
1 s per GiB here), and the answer is nearly always no. A file can only repeat an
item of exactly its size, so the sha256 is computed when the file arrives only if
the library holds an item of that size; otherwise the worker computes it while it
processes the item, from the copy it reads anyway (``processing.services``).
"""

import hashlib

from django.db.models import Exists, OuterRef

from library.models import MediaFile

from .models import PostFile

READ_SIZE = 1024 * 1024


def file_sha256(path) -> str:
    """Read once in 1 MiB blocks: constant memory whatever the size."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(READ_SIZE):
            digest.update(block)
    return digest.hexdigest()


def source_sha256(source) -> str:
    """The sha256 of a local path, or of a finished upload read where it lies (S3)."""
    return source.sha256() if hasattr(source, "sha256") else file_sha256(source)


def stored_sha256(media: MediaFile) -> str:
    """An item's sha256, from its stored file when the worker has not computed it yet."""
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


def library_duplicate(
    *, organization, source, size: int, sha256: str = ""
) -> tuple[MediaFile | None, str]:
    """The dealership's oldest item with these bytes (or None), and the sha256 if computed.

    ``sha256`` may be given when the caller has it; it is computed here only when
    an item of the same size exists, and then so is that item's when it has none yet
    (an item not processed yet).
    """
    archived = PostFile.objects.filter(file=OuterRef("pk"), post__status="archived")
    in_use = PostFile.objects.filter(file=OuterRef("pk")).exclude(post__status="archived")
    candidates = list(
        MediaFile.objects.for_org(organization)
        .filter(size_bytes=size)
        .exclude(Exists(archived) & ~Exists(in_use))  # only archived posts carry it
        .exclude(file="")
        .order_by("created_at", "id")
    )
    if not candidates:
        return None, sha256
    sha256 = sha256 or source_sha256(source)
    for item in candidates:
        if stored_sha256(item) == sha256:
            return item, sha256
    return None, sha256
