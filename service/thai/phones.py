"""Phone numbers: parsed for region TH and kept in E.164."""

from __future__ import annotations

import phonenumbers


def normalise_phone(raw: str) -> str:
    """Parses a phone number (Thai by default) and returns it in E.164, or raises ValueError."""
    try:
        number = phonenumbers.parse(raw, "TH")
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"not a phone number: {error}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
