"""CSV cells that a spreadsheet would run as formulas, the byte-order mark, and content
negotiation."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.statistics.csv_files import BYTE_ORDER_MARK, csv_text, safe_cell, wants_csv


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+66812345678", "'+66812345678"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\r=x", "'\r=x"),
        ("บ้านพัก", "บ้านพัก"),
        ("a=b", "a=b"),
        (None, ""),
        (3, "3"),
    ],
)
def test_formula_cells_are_defused(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


@given(st.lists(st.lists(st.text(max_size=20), min_size=2, max_size=2), max_size=5))
def test_every_cell_reads_back_and_none_starts_a_formula(rows: list[list[str]]) -> None:
    text = csv_text(["a", "b"], rows)
    assert text.startswith(BYTE_ORDER_MARK)
    read = list(csv.reader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK), newline="")))
    assert read[0] == ["a", "b"]
    assert read[1:] == [[safe_cell(v) for v in row] for row in rows]
    for row in read[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("accept", "csv_wanted"),
    [
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("text/csv", True),
        ("TEXT/CSV; charset=utf-8", True),
        ("text/csv, application/json", True),
        ("application/json, text/csv", False),
        ("application/json;q=0.5, text/csv", True),
        ("text/csv;q=0.5, */*", False),
        ("text/csv;q=0", False),
        ("text/csv;q=nonsense", False),
        ("text/html, text/csv", True),
    ],
)
def test_content_negotiation(accept: str | None, csv_wanted: bool) -> None:
    assert wants_csv(accept) is csv_wanted
