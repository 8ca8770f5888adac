"""Partial uploads in S3, so that any web server can take the next PATCH (``TUS_STORE=s3``).

As tusd's S3 store does: an upload's bytes go into an S3 multipart upload as
they arrive, a part for every 5 MiB (S3's smallest; at most 10,000 parts, so up
to 48 GiB, far above ``TUS_MAX_SIZE``); a tail shorter than that waits in
the bucket as an "incomplete part" object (``tus/<upload id>/tail-<start>``)
and is joined to the next PATCH's bytes. Nothing waits on a web host's disk.

The state is in the Upload row (``multipart_upload_id``, ``object_key``,
``parts``, ``offset``), written in the same UPDATE as the offset and only
after S3 acknowledged the parts and the tail, so an acknowledged offset is
never ahead of S3. The multipart upload is opened at the media item's final
key (its extension from the first bytes), so ``CompleteMultipartUpload``
writes the item's file and no copy goes through a web host.

The tail's key names where it starts, so a crash between S3 and the database
never loses bytes: a tail that only grew keeps its start (the database's
shorter length reads a prefix of it); one that moved past a new part gets a
new key, and the old one is deleted only once the database names the new.
"""

import contextlib
import hashlib
import io
import tempfile
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from django.core.files.storage import storages

from dealer_media.stored_files import content_disposition_for, content_type_for
from library.models import MediaFile, media_upload_to
from library.validation import head_extension
from uploads.models import Upload

PART_SIZE = 5 * 1024 * 1024  # S3's smallest part (all but the last)
MAX_PARTS = 10_000  # S3's most in one multipart upload
READ_SIZE = 1024 * 1024


_CLIENTS: "weakref.WeakKeyDictionary[object, object]" = weakref.WeakKeyDictionary()
_CLIENTS_LOCK = threading.Lock()


def _shared_client(storage):
    """One boto3 client per process and storage: clients are thread-safe.

    django-storages makes a resource per thread (on one session per process,
    ``dealer_media.storage``); the PATCHes of a gthread worker's four threads need
    only one client.
    """
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(storage)
        if client is None:
            client = _CLIENTS[storage] = storage.connection.meta.client
        return client


class S3UploadStore:
    """The partial-upload store of deployments with several web servers."""

    def __init__(self):
        storage = storages["default"]
        self.client = _shared_client(storage)
        self.bucket = storage.bucket_name

    @staticmethod
    def tail_key(upload: Upload, start: int) -> str:
        return f"tus/{upload.pk}/tail-{start}"

    def create(self, upload: Upload) -> None:
        """Nothing yet: the multipart upload opens with the first part, at a key of its type."""

    @contextlib.contextmanager
    def writer(self, upload: Upload) -> Iterator["S3ChunkWriter"]:
        with _PART_BUFFERS.borrowed() as part:
            yield S3ChunkWriter(self, upload, part)

    def read(self, key: str, start: int, size: int) -> bytes:
        if size <= 0:
            return b""
        answer = self.client.get_object(
            Bucket=self.bucket, Key=key, Range=f"bytes={start}-{start + size - 1}"
        )
        return answer["Body"].read()

    def read_into(self, key: str, buffer: memoryview) -> None:
        """The first ``len(buffer)`` bytes of an object, straight into ``buffer``."""
        if not buffer:
            return
        answer = self.client.get_object(
            Bucket=self.bucket, Key=key, Range=f"bytes=0-{len(buffer) - 1}"
        )
        body, got = answer["Body"], 0
        while got < len(buffer):
            received = body.readinto(buffer[got:])
            if not received:
                raise OSError(f"{key} ended after {got} of {len(buffer)} bytes")
            got += received

    def head(self, upload: Upload, size: int) -> bytes:
        """A ranged GET: of the final object once complete, else of the incomplete part."""
        size = min(size, upload.offset)
        if upload.state != Upload.State.RECEIVING:
            return self.read(upload.object_key, 0, size)
        if upload.parts:  # only asked below 16 bytes, always inside the tail
            raise ValueError("the first bytes are in a part already")
        return self.read(self.tail_key(upload, 0), 0, size)

    @contextlib.contextmanager
    def media_source(self, upload: Upload) -> Iterator["S3Source"]:
        yield S3Source(self, upload.object_key, upload.length)

    def delete(self, upload: Upload) -> None:
        """Abort the multipart upload, delete the incomplete part (and an unclaimed object)."""
        if upload.multipart_upload_id and upload.state == Upload.State.RECEIVING:
            with contextlib.suppress(self.client.exceptions.NoSuchUpload):
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=upload.object_key, UploadId=upload.multipart_upload_id
                )
        if upload.object_key and upload.state == Upload.State.COMPLETE:
            self.client.delete_object(Bucket=self.bucket, Key=upload.object_key)
        listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=f"tus/{upload.pk}/")
        for item in listed.get("Contents", []):
            self.client.delete_object(Bucket=self.bucket, Key=item["Key"])


class _PartBuffers:
    """The buffers parts are gathered in, lent to one PATCH at a time and kept for the next.

    A part gathered from fresh 1 MiB copies and joined into a fresh 5 MiB block
    left glibc's per-thread arenas holding tens of MB once sent; a reused buffer
    costs one copy of each block and no allocation. At most ``keep`` wait
    between requests (a gthread worker's threads), so a burst does not stay.
    """

    def __init__(self, size: int, keep: int):
        self.size, self.keep = size, keep
        self._free: list[bytearray] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def borrowed(self) -> Iterator[bytearray]:
        with self._lock:
            buffer = self._free.pop() if self._free else None
        if buffer is None:
            buffer = bytearray(self.size)
        try:
            yield buffer
        finally:
            with self._lock:
                if len(self._free) < self.keep:
                    self._free.append(buffer)


_PART_BUFFERS = _PartBuffers(PART_SIZE, keep=4)


class _PartBody(io.RawIOBase):
    """The start of the part buffer, read as a file: boto3 takes no ``memoryview``.

    A copy of the last part (up to 5 MiB, beside the buffer) was the worker's peak.
    """

    def __init__(self, view: memoryview):
        self._view, self._position = view, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view)
        if size is not None and size >= 0:
            end = min(end, self._position + size)
        data = bytes(self._view[self._position : end])
        self._position = max(self._position, end)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def tell(self) -> int:
        return self._position


class S3ChunkWriter:
    """One PATCH's bytes: a part each time the buffer fills, the tail at commit.

    Every part but the last is exactly ``PART_SIZE``, as tusd sends them, and goes
    to S3 as the buffer itself (boto3 sends a ``bytearray`` without copying it).
    """

    def __init__(self, store: S3UploadStore, upload: Upload, part: bytearray):
        self.store, self.upload = store, upload
        self.parts = [list(part) for part in upload.parts]
        self.saved_parts = len(self.parts)
        self.tail_start = sum(part[2] for part in self.parts)
        self.old_tail_start = self.tail_start
        tail_size = upload.offset - self.tail_start
        self.part = part
        self.view = memoryview(part)
        # The database's length of the tail: bytes past it were never acknowledged.
        store.read_into(store.tail_key(upload, self.tail_start), self.view[:tail_size])
        self.buffered = tail_size
        self.had_tail = tail_size > 0
        self.end = upload.offset

    def write(self, data: bytes) -> None:
        """Copy ``data`` (often a view of body.py's reused buffer) into the part."""
        data = memoryview(data)
        self.end += len(data)
        while data:
            taken = min(len(data), PART_SIZE - self.buffered)
            self.view[self.buffered : self.buffered + taken] = data[:taken]
            self.buffered += taken
            data = data[taken:]
            if self.buffered == PART_SIZE:
                self._send_part()

    def _gathered(self) -> "bytearray | _PartBody":
        """The part's bytes as boto3 takes them, uncopied: the buffer when full, else its start."""
        return self.part if self.buffered == PART_SIZE else _PartBody(self.view[: self.buffered])

    def _open_multipart(self, head: bytes) -> None:
        upload = self.upload
        name = f"upload.{head_extension(head)}"
        key = media_upload_to(MediaFile(organization_id=upload.organization_id), name)
        answer = self.store.client.create_multipart_upload(
            Bucket=self.store.bucket,
            Key=key,
            ContentType=content_type_for(key),
            ContentDisposition=content_disposition_for(key),
        )
        upload.multipart_upload_id, upload.object_key = answer["UploadId"], key
        # Recorded at once (under this request's claim), so termination and expiry can
        # abort it even if this chunk is discarded.
        Upload.objects.filter(pk=upload.pk).update(
            multipart_upload_id=answer["UploadId"], object_key=key
        )

    def _send_part(self) -> None:
        body = self._gathered()
        if not self.upload.multipart_upload_id:
            self._open_multipart(bytes(self.view[:16]))  # the first part starts at byte 0
        number = len(self.parts) + 1
        answer = self.store.client.upload_part(
            Bucket=self.store.bucket,
            Key=self.upload.object_key,
            UploadId=self.upload.multipart_upload_id,
            PartNumber=number,
            Body=body,
        )
        self.parts.append([number, answer["ETag"], self.buffered])
        self.tail_start += self.buffered
        self.buffered = 0

    def commit(self) -> dict:
        """Send the tail (as the last part when the upload is whole) and answer the state."""
        client, bucket, upload = self.store.client, self.store.bucket, self.upload
        if self.end == upload.length:
            if self.buffered or not self.parts:
                self._send_part()
            client.complete_multipart_upload(
                Bucket=bucket,
                Key=upload.object_key,
                UploadId=upload.multipart_upload_id,
                MultipartUpload={
                    "Parts": [{"PartNumber": n, "ETag": etag} for n, etag, _ in self.parts]
                },
            )
        elif self.buffered:
            client.put_object(
                Bucket=bucket,
                Key=self.store.tail_key(upload, self.tail_start),
                Body=self._gathered(),
            )
        return {
            "parts": self.parts,
            "multipart_upload_id": upload.multipart_upload_id,
            "object_key": upload.object_key,
        }

    def discard(self) -> None:
        """The parts sent by this request are forgotten (the next one sends those numbers)."""
        del self.parts[self.saved_parts :]
        self.tail_start = self.old_tail_start
        self.buffered = 0
        self.end = self.upload.offset

    def committed(self) -> None:
        if self.had_tail and self.tail_start != self.old_tail_start:
            self.store.client.delete_object(
                Bucket=self.store.bucket, Key=self.store.tail_key(self.upload, self.old_tail_start)
            )


class S3Source:
    """A finished upload's object, checked where it lies (``validation.MediaSource``)."""

    def __init__(self, store: S3UploadStore, key: str, size: int):
        self.store, self.stored_name, self.size = store, key, size

    def head(self, size: int) -> bytes:
        return self.store.read(self.stored_name, 0, min(size, self.size))

    @contextlib.contextmanager
    def image_path(self) -> Iterator[Path]:
        """A bounded download: ``sniff`` checked the size against the image limit first."""
        with tempfile.NamedTemporaryFile(suffix=".image") as file:
            self.store.client.download_fileobj(self.store.bucket, self.stored_name, file)
            file.flush()
            yield Path(file.name)

    def ffmpeg_input(self) -> str:
        return self.store.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.store.bucket, "Key": self.stored_name},
            ExpiresIn=600,
        )

    def sha256(self) -> str:
        """Streamed from the bucket in 1 MiB blocks (when no process held the running digest)."""
        digest = hashlib.sha256()
        body = self.store.client.get_object(Bucket=self.store.bucket, Key=self.stored_name)["Body"]
        while block := body.read(READ_SIZE):
            digest.update(block)
        return digest.hexdigest()
