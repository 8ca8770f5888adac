"""The checksum of one chunk (tus's checksum extension), computed as the chunk arrives.

The whole file's sha256 is not computed here: the duplicate check asks for it
only when an item of the same size exists, and the worker computes it otherwise
(``media_content.duplicates``).
"""

import dataclasses
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor


@dataclasses.dataclass(frozen=True)
class ChunkChecksum:
    """The digest a client sent for one chunk, and how to compute ours."""

    new: Callable  # a hashlib constructor
    digest: bytes


_DIGEST_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="upload-digest")


class Digests:
    """Feed blocks to digests on a pool thread, in order, one block in flight.

    hashlib releases the GIL on large updates, so hashing block N overlaps
    reading and writing block N+1.
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
