"""How many unfinished uploads a dealership may hold at once.

Every open upload keeps disk for ``TUS_EXPIRATION_HOURS``; without a cap one
dealership could promise 80 GB in twenty requests. The caller holds the
dealership's row lock while it asks, so two creations cannot both pass.
"""

from typing import NamedTuple

from django.conf import settings

from dealer_media.tenancy.models import Organization
from uploads.selectors import open_upload_totals

WHAT_TO_DO = (
    "Finish the uploads in progress first (choose the same file again to continue where it "
    "stopped), or wait: an unfinished upload is deleted {hours} hours after its last part "
    "arrived. Then try again."
)


def size_in_words(size: int) -> str:
    """20000000000 → '20 GB'; 950000000 → '950 MB'; below a megabyte, bytes."""
    if size >= 1_000_000_000:
        return f"{round(size / 1_000_000_000, 1):g} GB"
    if size >= 1_000_000:
        return f"{round(size / 1_000_000, 1):g} MB"
    return f"{size:,} bytes"


class Refusal(NamedTuple):
    code: str
    message: str


def open_uploads_refusal(*, organization: Organization, length: int) -> Refusal | None:
    """Why a new upload of ``length`` bytes may not start now, or None when it may.

    ``too_many_open_*``: the dealership holds too much right now and room comes
    back as uploads finish, are cancelled or expire. ``too_large`` only for a
    file that could never fit, whatever is finished.
    """
    most = settings.TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION
    most_bytes = settings.TUS_MAX_OPEN_BYTES_PER_ORGANIZATION
    if length > most_bytes:
        return Refusal(
            "too_large",
            f"This file needs {size_in_words(length)}; unfinished uploads of a dealership "
            f"may hold at most {size_in_words(most_bytes)} at once. Upload a smaller file.",
        )
    what_to_do = WHAT_TO_DO.format(hours=settings.TUS_EXPIRATION_HOURS)
    totals = open_upload_totals(organization=organization)
    if totals.count >= most:
        return Refusal(
            "too_many_open_uploads",
            f"Your dealership already has {totals.count} unfinished "
            f"upload{'' if totals.count == 1 else 's'}, and at most {most} may be open at "
            f"once. {what_to_do}",
        )
    if totals.bytes + length > most_bytes:
        return Refusal(
            "too_many_open_bytes",
            f"Unfinished uploads of your dealership already hold {size_in_words(totals.bytes)} "
            f"of the {size_in_words(most_bytes)} allowed at once, and this file needs "
            f"{size_in_words(length)}. {what_to_do}",
        )
    return None
