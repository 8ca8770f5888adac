"""Partial uploads in S3, so that any web server can take the next PATCH (``TUS_STORE=s3``).

As tusd's S3 store does: an upload's bytes go into an S3 multipart upload as
they arrive, a part for every 5 MiB or more; a tail shorter than that waits in
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
import tempfile
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from django.core.files.storage import storages

from dealer_media.stored_files import content_disposition_for, content_type_for

from ..models import MediaContent, media_upload_to
from ..validation import head_extension
from .models import Upload

PART_SIZE = 5 * 1024 * 1024  # S3's smallest part (all but the last)
READ_SIZE = 1024 * 1024


_CLIENTS: "weakref.WeakKeyDictionary[object, object]" = weakref.WeakKeyDictionary()
_CLIENTS_LOCK = threading.Lock()


def _shared_client(storage):
    """One boto3 client per process and storage: clients are thread-safe.

    django-storages makes a boto3 session and resource per thread, about 20 MB
    each, and a gthread worker answers PATCHes on four threads.
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
        yield S3ChunkWriter(self, upload)

    def read(self, key: str, start: int, size: int) -> bytes:
        if size <= 0:
            return b""
        answer = self.client.get_object(
            Bucket=self.bucket, Key=key, Range=f"bytes={start}-{start + size - 1}"
        )
        return answer["Body"].read()

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


class S3ChunkWriter:
    """One PATCH's bytes: parts as they fill, the tail at commit."""

    def __init__(self, store: S3UploadStore, upload: Upload):
        self.store, self.upload = store, upload
        self.parts = [list(part) for part in upload.parts]
        self.saved_parts = len(self.parts)
        self.tail_start = sum(part[2] for part in self.parts)
        self.old_tail_start = self.tail_start
        tail_size = upload.offset - self.tail_start
        key = store.tail_key(upload, self.tail_start)
        # The database's length of the tail: bytes past it were never acknowledged.
        tail = store.read(key, 0, tail_size)
        # The blocks of the part being gathered, joined once when it is sent (one copy).
        self.blocks, self.buffered = ([tail] if tail else []), len(tail)
        self.had_tail = tail_size > 0
        self.end = upload.offset

    def write(self, data: bytes) -> None:
        self.blocks.append(bytes(data))  # a block read into a reused buffer (body.py)
        self.buffered += len(data)
        self.end += len(data)
        if self.buffered >= PART_SIZE:
            self._send_part()

    def _open_multipart(self, head: bytes) -> None:
        upload = self.upload
        name = f"upload.{head_extension(head)}"
        key = media_upload_to(MediaContent(organization_id=upload.organization_id), name)
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
        body = b"".join(self.blocks)
        if not self.upload.multipart_upload_id:
            self._open_multipart(body[:16])  # the first part starts at the file's first byte
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
        self.blocks, self.buffered = [], 0

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
                Body=b"".join(self.blocks),
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
        self.blocks, self.buffered = [], 0
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
