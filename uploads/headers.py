"""The tus request headers, parsed strictly: anything unexpected is a 400 in words.

Headers are client input. ``str.isdigit`` accepts "²" and "١٢", ``int()`` of
5,000 digits raises, and PostgreSQL refuses a NUL inside JSON: each of these
was a 500. Here numbers are ASCII digits of bounded length and metadata is
printable text, checked before anything is stored.
"""

import base64
import hashlib
import re
from collections.abc import Callable

from dealer_media.validators import control_character, describe_control_character
from uploads.digests import ChunkChecksum

CHECKSUM_ALGORITHMS: dict[str, Callable] = {
    "sha1": hashlib.sha1,
    "md5": hashlib.md5,
    "sha256": hashlib.sha256,
}

# 19 digits hold every value of a PostgreSQL bigint (9,223,372,036,854,775,807 has 19).
MAX_DIGITS = 19
_COUNT = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_DIGITS_ONLY = re.compile(r"[0-9]+")
# tus: a key is ASCII without spaces or commas (the separators); printable, we add.
_METADATA_KEY = re.compile(r"[!-+\--~]{1,100}")


class BadHeader(Exception):
    """A header a tus client should never send: answered 400 with ``message``."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


class TooManyDigits(BadHeader):
    """A number of plain digits, but longer than any size or offset this server takes."""


def parse_count(value: str, *, name: str) -> int:
    """A byte count or offset: 1 to 19 ASCII digits, nothing else (no sign, no spaces)."""
    if _COUNT.fullmatch(value):
        number = int(value)
        if number < 2**63:
            return number
    if _DIGITS_ONLY.fullmatch(value):
        raise TooManyDigits(f"{name} is larger than any upload this server accepts.")
    raise BadHeader(
        f"{name} must be a non-negative integer. Send it with the digits 0-9 only "
        f"(no sign, spaces or other characters).",
    )


def parse_metadata(header: str) -> dict[str, str]:
    """``key base64(value)`` pairs separated by commas; an empty header is no metadata.

    Every value must decode to UTF-8 text without control characters: values
    become file names and text in the library, and are stored as JSON.
    """
    metadata: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = pair.partition(" ")
        if not key or key in metadata:
            raise BadHeader("Upload-Metadata has an empty or repeated key.")
        if not _METADATA_KEY.fullmatch(key):
            raise BadHeader(
                "Upload-Metadata keys must be printable ASCII (letters, digits, punctuation), "
                "at most 100 characters.",
            )
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as error:  # binascii.Error is a ValueError
            raise BadHeader(
                f"Upload-Metadata value of “{key}” is not base64 of UTF-8 text."
            ) from error
        char = control_character(value)
        if char is not None:
            raise BadHeader(
                f"Upload-Metadata value of “{key}” contains {describe_control_character(char)}. "
                "Rename the file without it and upload it again.",
                code="control_character",
            )
        metadata[key] = value
    return metadata


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in metadata.items()
    )


def parse_checksum(header: str) -> ChunkChecksum | None:
    if not header:
        return None
    name, _, encoded = header.strip().partition(" ")
    algorithm = CHECKSUM_ALGORITHMS.get(name.lower())
    if algorithm is None:
        raise BadHeader(f"Checksum algorithm “{name}” is not supported.")
    try:
        return ChunkChecksum(algorithm, base64.b64decode(encoded.strip(), validate=True))
    except ValueError as error:  # binascii.Error, or a non-ASCII character
        raise BadHeader("Upload-Checksum digest is not base64.") from error
