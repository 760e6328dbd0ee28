"""Opaque keyset cursors: `?limit=&cursor=` on every list, never an offset scan."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from service.platform.errors import Unprocessable

MAX_LIMIT = 200
INT4_MAX = 2**31 - 1
DEFAULT_LIMIT = 50


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor holding the sort key of the last row returned."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, size: int) -> list[Any]:
    """The sort key inside `cursor`; 422 pointing at the parameter when it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise invalid_cursor()
    return values


def invalid_cursor() -> Unprocessable:
    return Unprocessable(
        "The cursor is not valid; start again without one.",
        errors=[{"parameter": "cursor", "detail": "not a valid cursor", "type": "cursor"}],
    )


def encode_time_id_cursor(at: datetime, row_id: uuid.UUID) -> str:
    """A cursor after a row ordered by (time, id)."""
    return encode_cursor([at.isoformat(), str(row_id)])


def decode_time_id_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (aware time, id) inside a cursor made by `encode_time_id_cursor`, else 422."""
    at_text, id_text = decode_cursor(cursor, size=2)
    return time_and_id(at_text, id_text)


def time_and_id(at_text: Any, id_text: Any) -> tuple[datetime, uuid.UUID]:
    """An (aware time, id) pair read from a decoded cursor's values, else 422."""
    try:
        at, row_id = datetime.fromisoformat(str(at_text)), uuid.UUID(str(id_text))
    except ValueError:
        raise invalid_cursor() from None
    if at.tzinfo is None:  # our cursors always carry the UTC offset
        raise invalid_cursor()
    try:
        return at.astimezone(UTC), row_id
    except OverflowError:  # an offset that pushes the time past year 1 or 9999
        raise invalid_cursor() from None


def decode_int_cursor(cursor: str) -> int:
    """The integer position inside a cursor, else 422; positions are 4-byte columns, so a
    value outside their range is refused here instead of failing in the database."""
    (value,) = decode_cursor(cursor, size=1)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT4_MAX:
        raise invalid_cursor()
    return value


def decode_text_cursor(cursor: str, *, pattern: str) -> str:
    """The text key inside a cursor, else 422. The key must have the shape of the column's
    values (`pattern`), so nothing a column cannot hold (NUL, a lone surrogate, a longer
    string) reaches the database as a comparison value."""
    (value,) = decode_cursor(cursor, size=1)
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise invalid_cursor()
    return value
