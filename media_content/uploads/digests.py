"""Running digests of uploads being received: the sha256 of the whole file, chunk checksums.

hashlib state cannot be saved in the database, so each process keeps the
running digest of the uploads it is receiving, keyed by upload and offset.
When a chunk lands on another process (or after a restart) the digest is
computed from the stored bytes once, when the upload finishes.
"""

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor


@dataclasses.dataclass(frozen=True)
class ChunkChecksum:
    """The digest a client sent for one chunk, and how to compute ours."""

    new: Callable  # a hashlib constructor
    digest: bytes


_HASHERS: "OrderedDict[str, tuple[int, object]]" = OrderedDict()
_HASHERS_LOCK = threading.Lock()
_HASHERS_MAX = 256


def take_hasher(upload_id: str, offset: int):
    """The running sha256 of the upload if this process holds it at ``offset``, else None."""
    with _HASHERS_LOCK:
        entry = _HASHERS.pop(upload_id, None)
    if entry is not None and entry[0] == offset:
        return entry[1]
    return hashlib.sha256() if offset == 0 else None


def keep_hasher(upload_id: str, offset: int, hasher) -> None:
    with _HASHERS_LOCK:
        _HASHERS[upload_id] = (offset, hasher)
        while len(_HASHERS) > _HASHERS_MAX:
            _HASHERS.popitem(last=False)


def drop_hasher(upload_id: str) -> None:
    """The upload is gone: so is its running digest."""
    with _HASHERS_LOCK:
        _HASHERS.pop(upload_id, None)


def forget_all() -> None:
    """As after a restart: every running digest is gone."""
    with _HASHERS_LOCK:
        _HASHERS.clear()


_DIGEST_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="upload-digest")


class Digests:
    """Feed blocks to digests on a pool thread, in order, one block in flight.

    hashlib releases the GIL on large updates, so hashing block N overlaps
    reading and writing block N+1 (sha256 costs about as much CPU as the rest
    of a PATCH together).
    """

    def __init__(self, digests: list):
        self._digests = digests
        self._pending: Future | None = None

    def _update(self, data: bytes) -> None:
        for digest in self._digests:
            digest.update(data)

    def update(self, data: bytes) -> None:
        if not self._digests:
            return
        self.wait()
        self._pending = _DIGEST_POOL.submit(self._update, data)

    def wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None
