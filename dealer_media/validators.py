"""Text that a dealer types or a client sends must be text a person can read.

Control characters (Unicode category Cc: NUL, ESC, BEL, DEL, the C1 range...)
cannot be shown, break terminals and logs, and PostgreSQL refuses NUL in text
and JSON columns (a 500 instead of an answer). They are refused with a message
that names the character. Single-line text (titles, file names) refuses line
breaks and tabs too; multi-line text (descriptions) keeps newlines and tabs.
"""

import re

from django.core.exceptions import ValidationError

# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_NAMES = {
    "\x00": "a NUL character",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a line break",
    "\x1b": "an escape character",
    "\x7f": "a delete character",
}


def control_character(value: str, *, multi_line: bool = False) -> str | None:
    """The first control character of ``value`` (line breaks and tabs pass in multi-line)."""
    pattern = CONTROL_CHARACTERS_BUT_LINES if multi_line else CONTROL_CHARACTERS
    found = pattern.search(value)
    return found.group() if found else None


def describe_control_character(char: str) -> str:
    """'a NUL character (U+0000)': how a message names the character it refuses."""
    name = _NAMES.get(char, "an invisible control character")
    return f"{name} (U+{ord(char):04X})"


def _refuse(value: str, *, multi_line: bool) -> None:
    char = control_character(value, multi_line=multi_line)
    if char is None:
        return
    if char in "\n\r\t":
        message = "This must be one line: it contains %(char)s. Remove it and try again."
    else:
        message = (
            "This text contains %(char)s, which cannot be shown or published. "
            "Remove it and try again."
        )
    raise ValidationError(
        message, code="control_character", params={"char": describe_control_character(char)}
    )


def validate_single_line_text(value: str) -> None:
    """Titles and file names: no control characters, no line breaks, no tabs."""
    if value:
        _refuse(value, multi_line=False)


def validate_multi_line_text(value: str) -> None:
    """Descriptions: line breaks and tabs are fine, other control characters are not."""
    if value:
        _refuse(value, multi_line=True)
