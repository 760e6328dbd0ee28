"""CSV files for spreadsheets: which answer a caller asked for, and cells that are safe to open.

Files are UTF-8 with a byte-order mark (Excel reads Thai text right only with it) and CRLF line
ends. A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`,
so a spreadsheet shows it as text rather than running it as a formula (CSV injection). Pure.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

CSV_MEDIA_TYPE = "text/csv"
BYTE_ORDER_MARK = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell's text, defused when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV file: byte-order mark, header, rows, every cell defused."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()


def wants_csv(accept: str | None) -> bool:
    """Whether an Accept header prefers CSV to JSON: `text/csv` with the highest quality of
    the types we answer with; on a tie, the one listed first."""
    if not accept:
        return False
    best: tuple[float, int, bool] | None = None
    for position, part in enumerate(accept.split(",")):
        media_type, *parameters = (piece.strip() for piece in part.split(";"))
        media_type = media_type.lower()
        if media_type not in (CSV_MEDIA_TYPE, "application/json", "application/*", "*/*"):
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (quality, -position, media_type == CSV_MEDIA_TYPE)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best is not None and best[2]
