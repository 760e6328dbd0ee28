"""Opaque keyset cursors: `?limit=&cursor=` on every list, never an offset scan."""

from __future__ import annotations

import base64
import json
from typing import Any

from service.errors import Unprocessable

MAX_LIMIT = 200
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
        raise Unprocessable(
            "The cursor is not valid; start again without one.",
            errors=[{"parameter": "cursor", "detail": "not a valid cursor", "type": "cursor"}],
        )
    return values
