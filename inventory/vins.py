"""Vehicle identification numbers: what a VIN looks like, and North America's check digit."""

import re

_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def normalize(vin: str) -> str:
    return vin.strip().upper().replace(" ", "").replace("-", "")


def vin_problem(vin: str) -> str | None:
    """Why this is not a VIN, in words, or None."""
    if not vin:
        return "It has no VIN."
    if len(vin) != 17:
        return f"VIN “{vin}” has {len(vin)} characters; a VIN has 17."
    if not _VIN.match(vin):
        return (
            f"VIN “{vin}” has characters a VIN never has (only letters and digits, no I, O or Q)."
        )
    return None


def check_digit(vin: str) -> str:
    total = sum(_VALUES[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_digit_warning(vin: str) -> str | None:
    """North American VINs (first character 1 to 5) carry a check digit in position 9."""
    if vin[0] in "12345" and vin[8] != check_digit(vin):
        return (
            f"VIN “{vin}” has check digit {vin[8]} where {check_digit(vin)} was expected; "
            "it may be mistyped."
        )
    return None
