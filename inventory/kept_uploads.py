"""An uploaded feed file whose columns need mapping: kept, so the import goes on once they are mapped.

The upload page reads the file's first rows (``parsing.columns_preview``); when
no column is read as a required field (no "Price" among "Stock #, VIN, Cost,
..."), the file is stored privately under the dealership (``KeptUpload``: the
private bucket on S3, else a directory no URL serves), the mapper shows its
columns, and saving the mapping imports it. A kept file is deleted once
imported or discarded, and by the hourly sweep once ``KEPT_HOURS``
have passed.
"""

import datetime
import logging

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from . import columns, sources
from .importing import import_feed
from .models import ImportRun, KeptUpload
from .parsing import FeedBroken, columns_preview

# An uploaded feed file whose columns need mapping is kept this long, then deleted.
KEPT_HOURS = 72

logger = logging.getLogger(__name__)


class StillUnmapped(Exception):
    """The kept file still has no column for a required field; says which."""

    def __init__(self, missing: list[str], message: str = ""):
        names = ", ".join(columns.LABELS[m] for m in missing)
        super().__init__(message or f"Choose the column that holds {names}.")
        self.message = str(self)
        self.missing = missing


def unmapped_fields(
    *, organization: Organization, chunks, content_type: str = ""
) -> tuple[columns.ColumnReport | None, list[str]]:
    """The file's columns as the source's mapping reads them, and the required fields none holds.

    Raises FeedBroken for a file that is empty, not text or not CSV.
    """
    source = sources.source_for(organization=organization)
    saved = (source.column_mapping or {}).get("mapping")
    report = columns_preview(chunks, content_type=content_type, mapping=saved)
    if report is None:  # XML: Meta's names
        return None, []
    return report, columns.missing_required(report.fields)


def _delete_file_on_commit(kept: KeptUpload) -> None:
    storage, name = kept.file.storage, kept.file.name

    def delete() -> None:
        try:
            storage.delete(name)
        except OSError:  # gone already: nothing to do
            logger.info("Kept upload %s was already deleted", name)

    transaction.on_commit(delete)


def kept_upload_for(*, organization: Organization) -> KeptUpload | None:
    """The dealership's kept file, unless it has expired."""
    return KeptUpload.objects.for_org(organization).filter(expires_at__gt=timezone.now()).first()


@transaction.atomic
def upload_keep(
    *,
    organization: Organization,
    uploaded: UploadedFile,
    report: columns.ColumnReport,
    is_complete: bool,
    by=None,
) -> KeptUpload:
    """Store the file (replacing an earlier one) and show its columns in the mapper."""
    source = sources.source_for_upload(organization=organization)
    sources.source_columns_seen(source=source, report=report)
    for old in KeptUpload.objects.for_org(organization).select_for_update():
        _delete_file_on_commit(old)
        old.delete()
    now = timezone.now()
    kept = KeptUpload(
        organization=organization,
        original_name=(uploaded.name or "feed file")[:200],
        size_bytes=uploaded.size or 0,
        is_complete=is_complete,
        headers=report.headers,
        uploaded_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=KEPT_HOURS),
    )
    uploaded.seek(0)
    kept.file.save("feed", uploaded, save=False)
    try:
        kept.save()
    except Exception:
        kept.file.storage.delete(kept.file.name)
        raise
    return kept


def kept_upload_import(*, kept: KeptUpload) -> ImportRun:
    """Import the kept file with the source's mapping; then delete it (imported or broken).

    Raises StillUnmapped (the file stays) when a required field still has no column.
    """
    organization = kept.organization
    shown = (sources.source_for(organization=organization).column_mapping or {}).get("headers")
    if shown != kept.headers:  # a fetch of the feed URL put its own columns in the mapper
        raise StillUnmapped(
            [],
            f"Your feed was fetched since “{kept.original_name}” was uploaded, and its columns "
            "replaced the file's here. Upload the file again to map its columns.",
        )
    try:
        with kept.file.open("rb") as stored:
            _report, missing = unmapped_fields(organization=organization, chunks=stored.chunks())
    except FeedBroken:
        missing = []  # the import says why, in its run
    if missing:
        raise StillUnmapped(missing)
    with kept.file.open("rb") as stored:
        run = import_feed(
            organization=organization,
            chunks=stored.chunks(),
            origin=ImportRun.Origin.UPLOAD,
            source=sources.source_for_upload(organization=organization),
            complete=kept.is_complete,
        )
    kept_upload_discard(organization=organization)
    return run


@transaction.atomic
def kept_upload_discard(*, organization: Organization) -> int:
    """Delete the dealership's kept file, now and its bytes at commit."""
    count = 0
    for kept in KeptUpload.objects.for_org(organization).select_for_update():
        _delete_file_on_commit(kept)
        kept.delete()
        count += 1
    return count


def kept_uploads_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete every kept file past its time (the hourly sweep)."""
    now = now or timezone.now()
    count = 0
    for kept in KeptUpload.objects.filter(expires_at__lte=now).iterator():
        with transaction.atomic():
            _delete_file_on_commit(kept)
            kept.delete()
        count += 1
    return count
