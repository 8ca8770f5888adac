"""Resumable uploads: create, append, terminate, expire, and turn into a media item.

The tus views parse the protocol's headers, call these, and turn
``UploadError`` codes into HTTP statuses. Every change to an upload runs under a claim (a conditional UPDATE of
``locked_until``, a lease renewed while bytes stream in), so two requests
cannot write one upload at once and a crashed worker's claim runs out.
"""

import contextlib
import dataclasses
import datetime
import secrets
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dealer_media.tenancy.models import Organization
from library.validation import MediaRejected, container_kind, megabytes, size_limit
from media_content import services as media_services
from media_content.models import MediaContent
from uploads.digests import ChunkChecksum, Digests
from uploads.models import Upload
from uploads.quota import open_uploads_refusal
from uploads.store import get_store

READ_SIZE = 1024 * 1024
LEASE = datetime.timedelta(seconds=60)
LEASE_RENEW_SECONDS = 15


class UploadError(Exception):
    """A refusal: a message for a person and a ``code`` (the HTTP layer picks the status)."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
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
        "Another request is writing to this upload; try again when it is done.", code="locked"
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
        f"Files can be at most {megabytes(settings.TUS_MAX_SIZE)}.", code="too_large"
    )


def _past_length(upload: Upload) -> UploadError:
    return UploadError(
        f"This chunk goes past the declared Upload-Length ({upload.length:,} bytes): it was "
        f"refused. The {upload.offset:,} bytes received before it are kept.",
        code="too_many_bytes",
    )


def upload_create(
    *, organization: Organization, created_by, length: int, metadata: dict[str, str]
) -> Upload:
    """A new upload, if the dealership has room (caps on open uploads and bytes promised)."""
    if length == 0:
        raise UploadError("The file is empty.", code="empty")
    if length > settings.TUS_MAX_SIZE:
        raise upload_too_large()
    declared = metadata.get("filetype", "")
    if declared.startswith("image/") and length > size_limit(MediaContent.MediaType.IMAGE):
        raise UploadError(
            f"Images can be at most {megabytes(settings.UPLOAD_MAX_IMAGE_SIZE)}.",
            code="too_large",
        )
    with transaction.atomic():
        # The dealership's row is the lock: its creations queue here, so two of them
        # cannot both count the same room (SQLite: the IMMEDIATE transaction).
        Organization.objects.select_for_update().only("pk").get(pk=organization.pk)
        refusal = open_uploads_refusal(organization=organization, length=length)
        if refusal is not None:
            raise UploadError(refusal.message, code=refusal.code)
        upload = Upload.objects.create(
            organization=organization,
            created_by=created_by,
            length=length,
            metadata=metadata,
            expires_at=_expiry(),
        )
    try:
        get_store().create(upload)
    except BaseException:
        upload.delete()
        raise
    return upload


def upload_delete(*, upload: Upload) -> None:
    """Remove the row and the bytes (termination, expiry, rejected content)."""
    get_store().delete(upload)
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
    checksum: ChunkChecksum | None = None,
) -> Upload:
    """Append the request body at ``offset``; answer with the upload at its new offset.

    Three steps under the claim: receive the body into the store, verify the
    chunk against its checksum, commit the new offset. If the connection
    breaks, the bytes that arrived are kept (unless a checksum was sent: then
    the chunk is all or nothing).
    """
    if upload.state != Upload.State.RECEIVING:
        if offset == upload.offset == upload.length and content_length == 0:
            return upload  # nothing to add: the spec's answer is the offset (204)
        raise UploadError("This upload is already complete.", code="complete")
    if offset != upload.offset:
        raise _offset_mismatch(upload, offset)
    if content_length is not None and content_length > upload.length - offset:
        raise _past_length(upload)
    token = secrets.token_hex(16)
    # One UPDATE claims the upload only if nobody holds it and the offset still
    # matches; the answer says which of the two failed.
    if not _claim(upload, token, offset=offset, state=Upload.State.RECEIVING):
        upload.refresh_from_db()
        if upload.offset != offset or upload.state != Upload.State.RECEIVING:
            raise _offset_mismatch(upload, offset)
        raise _locked()
    committed = False
    try:
        store = get_store()
        # The first 16 bytes name the container: the ones stored before this chunk are
        # read now (S3: the incomplete part, which the commit may replace).
        earlier = store.head(upload, offset) if 0 < offset < 16 else b""
        with store.writer(upload) as writer:
            chunk = _receive(upload, token, writer, read, content_length, checksum)
            chunk.head = earlier + chunk.head
            _verify_chunk(writer, chunk, checksum)
            state = writer.commit()
            _commit_offset(upload, token, chunk, state)
            committed = True
            writer.committed()
    finally:
        if not committed:  # the offset's UPDATE released the claim already
            _release(upload, token)
    if offset < 16 <= upload.offset or (upload.offset == upload.length and offset < 16):
        _check_head(upload, chunk.head)
    return upload


@dataclasses.dataclass
class _Chunk:
    """What one request brought: its size, whether it was cut off, its first bytes."""

    offset: int
    received: int = 0
    broken: bool = False
    head: bytes = b""
    digest: object = None  # the chunk's own checksum digest, when one was sent


def _receive(upload, token, writer, read, content_length, checksum) -> _Chunk:
    """Read the body in blocks of up to 1 MiB and hand each to the store as it arrives.

    Only a chunk's own checksum is computed here; the whole file's sha256 waits
    for the duplicate check or the worker (``media_content.duplicates``).
    """
    chunk = _Chunk(offset=upload.offset)
    chunk.digest = checksum.new() if checksum else None
    room = upload.length - upload.offset
    last_renewal = time.monotonic()
    digests = Digests([chunk.digest] if chunk.digest is not None else [])
    while content_length is None or chunk.received < content_length:
        want = (
            READ_SIZE if content_length is None else min(READ_SIZE, content_length - chunk.received)
        )
        try:
            data = read(want)
        except OSError:
            data, chunk.broken = b"", True
        if not data:
            short = content_length is not None and chunk.received < content_length
            chunk.broken = chunk.broken or short
            break
        if chunk.received + len(data) > room:
            digests.wait()
            writer.discard()
            raise _past_length(upload)
        if upload.offset + chunk.received < 16:
            chunk.head += data[: 16 - upload.offset - chunk.received]
        digests.update(data)  # hashed on another thread while we write and read on
        writer.write(data)
        chunk.received += len(data)
        if time.monotonic() - last_renewal > LEASE_RENEW_SECONDS:
            _renew(upload, token)
            last_renewal = time.monotonic()
    digests.wait()
    return chunk


def _verify_chunk(writer, chunk: _Chunk, checksum: ChunkChecksum | None) -> None:
    """A chunk sent with a checksum is kept only whole and matching."""
    if checksum is None or (not chunk.broken and chunk.digest.digest() == checksum.digest):
        return
    writer.discard()
    if chunk.broken:
        raise UploadError("The connection broke mid-chunk.", code="broken")
    raise UploadError(
        "Checksum mismatch: the chunk was discarded; send it again.", code="checksum_mismatch"
    )


def _commit_offset(upload: Upload, token: str, chunk: _Chunk, state: dict) -> None:
    """Record the new offset (and the store's state) after the store made the bytes durable."""
    new_offset = chunk.offset + chunk.received
    fields = {"offset": new_offset, "expires_at": _expiry(), **state}
    if new_offset == upload.length:
        fields["state"] = Upload.State.COMPLETE
    # The new offset and the release of the claim in one UPDATE.
    _release(upload, token, **fields)
    for name, value in fields.items():
        setattr(upload, name, value)


def _offset_mismatch(upload: Upload, offset: int) -> UploadError:
    return UploadError(
        f"Upload-Offset {offset} does not match the upload's offset {upload.offset}.",
        code="offset_mismatch",
    )


def _check_head(upload: Upload, head: bytes) -> None:
    """Reject early, from the first bytes, a file that can never be accepted."""
    kind = container_kind(head)
    if kind is None:
        upload_delete(upload=upload)
        raise UploadError(
            "This file is not a supported type: upload JPEG, PNG, WebP or GIF images, "
            "or MP4, MOV or WebM videos.",
            code="unsupported_type",
        )
    if kind == "image" and upload.length > settings.UPLOAD_MAX_IMAGE_SIZE:
        upload_delete(upload=upload)
        raise UploadError(
            f"Images can be at most {megabytes(settings.UPLOAD_MAX_IMAGE_SIZE)}.",
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
    *,
    upload: Upload,
    created_by,
    details: media_services.MediaDetails,
    allow_duplicate: bool = False,
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
            code="incomplete",
        )
    store = get_store()
    with upload_claimed(upload) as token:
        upload.refresh_from_db()
        if upload.state == Upload.State.CONSUMED and upload.media_content_id:
            return upload.media_content, False
        try:
            with store.media_source(upload) as source, transaction.atomic():
                media = media_services.media_create(
                    organization=upload.organization,
                    created_by=created_by,
                    path=source,
                    original_filename=upload.filename,
                    details=details,
                    allow_duplicate=allow_duplicate,
                )
                post = media if isinstance(media, MediaContent) else None
                file = post.lead_file if post is not None else media  # the file just made
                Upload.objects.filter(pk=upload.pk, lock_token=token).update(
                    state=Upload.State.CONSUMED, media_content=post, file=file
                )
                upload.state, upload.media_content = Upload.State.CONSUMED, post
                upload.file = file
                transaction.on_commit(lambda: store.delete(upload))
        except MediaRejected:
            upload_delete(upload=upload)
            raise
    return media, True
