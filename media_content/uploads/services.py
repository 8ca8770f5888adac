"""Resumable uploads: create, append, terminate, expire, and turn into a media item.

The tus views translate HTTP into these calls and ``UploadError`` back into
HTTP. Every change to an upload runs under a claim (a conditional UPDATE of
``locked_until``, a lease renewed while bytes stream in), so two requests
cannot write one upload at once and a crashed worker's claim runs out.
"""

import contextlib
import datetime
import hashlib
import secrets
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from .. import services as media_services
from ..models import MediaContent
from .digests import Digests, drop_hasher, keep_hasher, take_hasher
from .models import Upload
from .quota import open_uploads_refusal
from .store import get_store
from .validation import MediaRejected, container_kind, megabytes, size_limit

READ_SIZE = 1024 * 1024
LEASE = datetime.timedelta(seconds=60)
LEASE_RENEW_SECONDS = 15
CHECKSUM_ALGORITHMS: dict[str, Callable] = {
    "sha1": hashlib.sha1,
    "md5": hashlib.md5,
    "sha256": hashlib.sha256,
}


class UploadError(Exception):
    """An answer other than success: HTTP ``status`` and a message for a person."""

    def __init__(self, message: str, *, status: int, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


# --- claims --------------------------------------------------------------------------


def _claim(upload: Upload, token: str, **conditions) -> bool:
    now = timezone.now()
    return bool(
        Upload.objects.filter(pk=upload.pk, **conditions)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + LEASE, lock_token=token)
    )


def _locked() -> UploadError:
    return UploadError(
        "Another request is writing to this upload; try again when it is done.",
        status=423,
        code="locked",
    )


def _release(upload: Upload, token: str, **fields) -> int:
    return Upload.objects.filter(pk=upload.pk, lock_token=token).update(
        locked_until=None, lock_token="", **fields
    )


@contextlib.contextmanager
def upload_claimed(upload: Upload) -> Iterator[str]:
    """Hold the upload's lease for the block (423 if another request holds it)."""
    token = secrets.token_hex(16)
    if not _claim(upload, token):
        raise _locked()
    try:
        yield token
    finally:
        _release(upload, token)


def _renew(upload: Upload, token: str) -> None:
    Upload.objects.filter(pk=upload.pk, lock_token=token).update(
        locked_until=timezone.now() + LEASE
    )


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.TUS_EXPIRATION_HOURS)


# --- the protocol's operations ---------------------------------------------------------


def upload_too_large() -> UploadError:
    return UploadError(
        f"Files can be at most {megabytes(settings.TUS_MAX_SIZE)}.", status=413, code="too_large"
    )


def _past_length(upload: Upload) -> UploadError:
    return UploadError(
        f"This chunk goes past the declared Upload-Length ({upload.length:,} bytes): it was "
        f"refused. The {upload.offset:,} bytes received before it are kept.",
        status=413,
        code="too_many_bytes",
    )


def upload_create(
    *, organization: Organization, created_by, length: int, metadata: dict[str, str]
) -> Upload:
    """A new upload, if the dealership has room (caps on open uploads and bytes promised)."""
    if length == 0:
        raise UploadError("The file is empty.", status=400, code="empty")
    if length > settings.TUS_MAX_SIZE:
        raise upload_too_large()
    declared = metadata.get("filetype", "")
    if declared.startswith("image/") and length > size_limit(MediaContent.MediaType.IMAGE):
        raise UploadError(
            f"Images can be at most {megabytes(settings.UPLOAD_MAX_IMAGE_SIZE)}.",
            status=413,
            code="too_large",
        )
    with transaction.atomic():
        # The dealership's row is the lock: its creations queue here, so two of them
        # cannot both count the same room (SQLite: the IMMEDIATE transaction).
        Organization.objects.select_for_update().only("pk").get(pk=organization.pk)
        refusal = open_uploads_refusal(organization=organization, length=length)
        if refusal is not None:
            raise UploadError(refusal.message, status=refusal.status, code=refusal.code)
        upload = Upload.objects.create(
            organization=organization,
            created_by=created_by,
            length=length,
            metadata=metadata,
            expires_at=_expiry(),
        )
    try:
        get_store().create(str(upload.pk))
    except BaseException:
        upload.delete()
        raise
    return upload


def upload_delete(*, upload: Upload) -> None:
    """Remove the row and the bytes (termination, expiry, rejected content)."""
    get_store().delete(str(upload.pk))
    drop_hasher(str(upload.pk))
    Upload.objects.filter(pk=upload.pk).delete()


def upload_terminate(*, upload: Upload) -> None:
    with upload_claimed(upload):
        upload_delete(upload=upload)


def upload_append(
    *,
    upload: Upload,
    offset: int,
    read: Callable[[int], bytes],
    content_length: int | None,
    checksum: tuple[Callable, bytes] | None = None,
) -> Upload:
    """Append the request body at ``offset``; answer with the upload at its new offset.

    The body is read in 1 MiB blocks and written as it arrives (never held
    whole). If the connection breaks, the bytes that arrived are kept (unless a
    checksum was sent: then the chunk is all or nothing). The new offset is
    recorded only after the bytes are fsynced.
    """
    if upload.state != Upload.State.RECEIVING:
        if offset == upload.offset == upload.length and content_length == 0:
            return upload  # nothing to add: the spec's answer is the offset (204)
        raise UploadError("This upload is already complete.", status=409, code="complete")
    if offset != upload.offset:
        raise UploadError(
            f"Upload-Offset {offset} does not match the upload's offset {upload.offset}.",
            status=409,
            code="offset_mismatch",
        )
    room = upload.length - offset
    if content_length is not None and content_length > room:
        raise _past_length(upload)
    token = secrets.token_hex(16)
    # One UPDATE claims the upload only if nobody holds it and the offset still
    # matches; the answer says which of the two failed.
    if not _claim(upload, token, offset=offset, state=Upload.State.RECEIVING):
        upload.refresh_from_db()
        if upload.offset != offset or upload.state != Upload.State.RECEIVING:
            raise UploadError(
                f"Upload-Offset {offset} does not match the upload's offset {upload.offset}.",
                status=409,
                code="offset_mismatch",
            )
        raise _locked()
    released = False
    try:
        upload_id = str(upload.pk)
        hasher = take_hasher(upload_id, offset)
        chunk_digest = checksum[0]() if checksum else None
        # A chunk that fails its checksum is discarded: so is its part of the digest.
        hasher_before = hasher.copy() if hasher is not None and checksum else None
        received = 0
        broken = False
        last_renewal = time.monotonic()
        digests = Digests([d for d in (hasher, chunk_digest) if d is not None])
        with get_store().writer(upload_id, offset) as writer:
            while content_length is None or received < content_length:
                want = (
                    READ_SIZE
                    if content_length is None
                    else min(READ_SIZE, content_length - received)
                )
                try:
                    data = read(want)
                except OSError:
                    data, broken = b"", True
                if not data:
                    broken = broken or (content_length is not None and received < content_length)
                    break
                if received + len(data) > room:
                    digests.wait()
                    writer.discard()  # the running digest is dropped: completion hashes the file
                    raise _past_length(upload)
                digests.update(data)  # hashed on another thread while we write and read on
                writer.write(data)
                received += len(data)
                if time.monotonic() - last_renewal > LEASE_RENEW_SECONDS:
                    _renew(upload, token)
                    last_renewal = time.monotonic()
            digests.wait()
            if chunk_digest is not None and (broken or chunk_digest.digest() != checksum[1]):
                writer.discard()
                if hasher_before is not None:
                    keep_hasher(upload_id, offset, hasher_before)
                if broken:
                    raise UploadError("The connection broke mid-chunk.", status=400)
                raise UploadError(
                    "Checksum mismatch: the chunk was discarded; send it again.",
                    status=460,
                    code="checksum_mismatch",
                )
            writer.commit()
        new_offset = offset + received
        fields = {"offset": new_offset, "expires_at": _expiry()}
        if new_offset == upload.length:
            fields["state"] = Upload.State.COMPLETE
            # Without the running digest (the chunks went to several processes)
            # it stays blank and the item's creation hashes the file once.
            fields["sha256"] = hasher.hexdigest() if hasher is not None else ""
        elif hasher is not None:
            keep_hasher(upload_id, new_offset, hasher)
        # The new offset and the release of the claim in one UPDATE, after fsync.
        _release(upload, token, **fields)
        released = True
        for name, value in fields.items():
            setattr(upload, name, value)
    finally:
        if not released:
            _release(upload, token)
    if offset < 16 <= new_offset or (new_offset == upload.length and offset < 16):
        _check_head(upload)
    return upload


def _check_head(upload: Upload) -> None:
    """Reject early, from the first bytes, a file that can never be accepted."""
    with get_store().open(str(upload.pk)) as file:
        kind = container_kind(file.read(16))
    if kind is None:
        upload_delete(upload=upload)
        raise UploadError(
            "This file is not a supported type: upload JPEG, PNG, WebP or GIF images, "
            "or MP4, MOV or WebM videos.",
            status=415,
            code="unsupported_type",
        )
    if kind == "image" and upload.length > settings.UPLOAD_MAX_IMAGE_SIZE:
        upload_delete(upload=upload)
        raise UploadError(
            f"Images can be at most {megabytes(settings.UPLOAD_MAX_IMAGE_SIZE)}.",
            status=413,
            code="too_large",
        )


def delete_expired_uploads(*, now: datetime.datetime | None = None) -> int:
    """Delete uploads past their expiry that nobody is writing to; return how many."""
    now = now or timezone.now()
    expired = Upload.objects.filter(expires_at__lt=now).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )
    count = 0
    for upload in expired.iterator():
        upload_delete(upload=upload)
        count += 1
    return count


# --- finishing: an upload becomes a media item -------------------------------------------


def media_create_from_upload(
    *, upload: Upload, created_by, allow_duplicate: bool = False, **fields
) -> tuple[MediaContent, bool]:
    """Create the media item from a finished upload; ``(item, created)``.

    A second call for the same upload returns the first item with
    ``created=False``. Unusable content deletes the upload (nothing is left
    behind) and raises MediaRejected; a duplicate raises DuplicateMedia and
    keeps the upload so the person can choose to keep a second copy.
    """
    if upload.state == Upload.State.CONSUMED and upload.media_content_id:
        return upload.media_content, False
    if upload.state != Upload.State.COMPLETE:
        raise UploadError(
            f"The upload is not finished: {upload.offset} of {upload.length} bytes received.",
            status=409,
            code="incomplete",
        )
    store = get_store()
    upload_id = str(upload.pk)
    with upload_claimed(upload) as token:
        upload.refresh_from_db()
        if upload.state == Upload.State.CONSUMED and upload.media_content_id:
            return upload.media_content, False
        try:
            with store.local_path(upload_id) as path, transaction.atomic():
                media = media_services.media_create(
                    organization=upload.organization,
                    created_by=created_by,
                    path=path,
                    original_filename=upload.filename,
                    sha256=upload.sha256,
                    allow_duplicate=allow_duplicate,
                    **fields,
                )
                Upload.objects.filter(pk=upload.pk, lock_token=token).update(
                    state=Upload.State.CONSUMED, media_content=media
                )
                transaction.on_commit(lambda: store.delete(upload_id))
        except MediaRejected:
            upload_delete(upload=upload)
            raise
    return media, True
