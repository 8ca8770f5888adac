"""The tus request headers, parsed strictly: anything unexpected is a 400 in words.

Headers are client input. ``str.isdigit`` accepts "²" and "١٢", ``int()`` of
5,000 digits raises, and PostgreSQL refuses a NUL inside JSON: each of these
was a 500. Here numbers are ASCII digits of bounded length and metadata is
printable text, checked before anything is stored.
"""

import base64
import re
from collections.abc import Callable

from dealer_media.validators import control_character, describe_control_character

from .services import CHECKSUM_ALGORITHMS, UploadError

# 19 digits hold every value of a PostgreSQL bigint (9,223,372,036,854,775,807 has 19).
MAX_DIGITS = 19
_COUNT = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_DIGITS_ONLY = re.compile(r"[0-9]+")
# tus: a key is ASCII without spaces or commas (the separators); printable, we add.
_METADATA_KEY = re.compile(r"[!-+\--~]{1,100}")


class TooManyDigits(UploadError):
    """A number of plain digits, but longer than any size or offset this server takes."""


def parse_count(value: str, *, name: str) -> int:
    """A byte count or offset: 1 to 19 ASCII digits, nothing else (no sign, no spaces)."""
    if _COUNT.fullmatch(value):
        number = int(value)
        if number < 2**63:
            return number
    if _DIGITS_ONLY.fullmatch(value):
        raise TooManyDigits(f"{name} is larger than any upload this server accepts.", status=400)
    raise UploadError(
        f"{name} must be a non-negative integer. Send it with the digits 0-9 only "
        f"(no sign, spaces or other characters).",
        status=400,
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
            raise UploadError("Upload-Metadata has an empty or repeated key.", status=400)
        if not _METADATA_KEY.fullmatch(key):
            raise UploadError(
                "Upload-Metadata keys must be printable ASCII (letters, digits, punctuation), "
                "at most 100 characters.",
                status=400,
            )
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as error:  # binascii.Error is a ValueError
            raise UploadError(
                f"Upload-Metadata value of “{key}” is not base64 of UTF-8 text.", status=400
            ) from error
        char = control_character(value)
        if char is not None:
            raise UploadError(
                f"Upload-Metadata value of “{key}” contains {describe_control_character(char)}. "
                "Rename the file without it and upload it again.",
                status=400,
                code="control_character",
            )
        metadata[key] = value
    return metadata


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in metadata.items()
    )


def parse_checksum(header: str) -> tuple[Callable, bytes] | None:
    if not header:
        return None
    name, _, encoded = header.strip().partition(" ")
    algorithm = CHECKSUM_ALGORITHMS.get(name.lower())
    if algorithm is None:
        raise UploadError(f"Checksum algorithm “{name}” is not supported.", status=400)
    try:
        return algorithm, base64.b64decode(encoded.strip(), validate=True)
    except ValueError as error:  # binascii.Error, or a non-ASCII character
        raise UploadError("Upload-Checksum digest is not base64.", status=400) from error
