"""Thai identity numbers: the 13-digit citizen id with its mod-11 check digit."""

from __future__ import annotations

import re

# Whitespace and the dashes people type (or that word processors substitute) inside ids.
_ID_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2212]+")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_THIRTEEN_DIGITS = re.compile(r"[0-9]{13}")


class CheckDigitError(ValueError):
    """Thirteen digits whose last is not the mod-11 check digit of the others."""


def thai_id_check_digit(first_twelve: str) -> int:
    """Computes the mod-11 check digit of the first 12 digits of a Thai id."""
    if not re.fullmatch(r"[0-9]{12}", first_twelve):
        raise ValueError("a Thai id check digit needs exactly 12 digits")
    total = sum(int(digit) * (13 - i) for i, digit in enumerate(first_twelve))
    return (11 - total % 11) % 10


def normalise_thai_id(raw: str) -> str:
    """Returns the 13 digits of a Thai id, or raises ValueError if it is malformed
    (`CheckDigitError` when only the check digit is wrong)."""
    digits = _ID_SEPARATORS.sub("", raw).translate(_THAI_DIGITS)
    if not digits:
        raise ValueError("Thai id is empty")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("Thai id may contain only digits, spaces and hyphens")
    if not _THIRTEEN_DIGITS.fullmatch(digits):
        raise ValueError(f"Thai id must have exactly 13 digits, got {len(digits)}")
    if thai_id_check_digit(digits[:12]) != int(digits[12]):
        raise CheckDigitError("Thai id check digit is wrong")
    return digits


def is_valid_thai_id(raw: str) -> bool:
    """Tells whether a string is a well-formed Thai id with a correct check digit."""
    try:
        normalise_thai_id(raw)
    except ValueError:
        return False
    return True
