"""Is this file already in the dealership's library? The posts' side of the duplicate check.

The library compares the bytes (``library.duplicates.same_bytes``: same size
first, the sha256 only then); here is which files count: any the dealership
still uses, not one that only archived posts carry.
"""

from django.db.models import Exists, OuterRef

from library.duplicates import same_bytes
from library.models import MediaFile

from .models import PostFile


def library_duplicate(
    *, organization, source, size: int, sha256: str = ""
) -> tuple[MediaFile | None, str]:
    """The dealership's oldest file with these bytes (or None), and the sha256 if computed.

    ``sha256`` may be given when the caller has it; it is computed only when a file
    of the same size exists (``same_bytes``).
    """
    archived = PostFile.objects.filter(file=OuterRef("pk"), post__status="archived")
    in_use = PostFile.objects.filter(file=OuterRef("pk")).exclude(post__status="archived")
    candidates = (
        MediaFile.objects.for_org(organization)
        .filter(size_bytes=size)
        .exclude(Exists(archived) & ~Exists(in_use))  # only archived posts carry it
        .exclude(file="")
        .order_by("created_at", "id")
    )
    return same_bytes(candidates, source=source, sha256=sha256)
