"""The access export flattened for a spreadsheet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from models.privacy_requests import SubjectAccessExport
from service.privacy.access import CSV_COLUMNS, export_csv, export_rows


def _export() -> SubjectAccessExport:
    return SubjectAccessExport(
        request_id=uuid.uuid4(),
        generated_at=datetime(2026, 11, 30, tzinfo=UTC),
        cases=[
            {
                "reference": "OS-2026-000001",
                "case": {"client_first_name": "สมศรี", "client_languages": ["th"], "lat": None},
                "notes": [{"at": "2026-11-30T10:00:00+00:00", "author": "ครู", "body": "=1+1"}],
                "referrals": [{"organization": "บ้านพัก", "shared_groups": ["contact"]}],
                "events": [],
                "reads": [],
            }
        ],
    )


def test_one_row_per_field_lists_as_json() -> None:
    rows = list(export_rows(_export()))
    assert ("OS-2026-000001", "case", 0, "client_first_name", "สมศรี") in rows
    assert ("OS-2026-000001", "case", 0, "client_languages", '["th"]') in rows
    assert ("OS-2026-000001", "case", 0, "lat", "") in rows
    assert ("OS-2026-000001", "referrals", 1, "shared_groups", '["contact"]') in rows
    assert len(rows) == 3 + 3 + 2


def test_the_csv_defuses_formulas() -> None:
    text = export_csv(_export())
    assert text.startswith("\ufeff" + ",".join(CSV_COLUMNS) + "\r\n")
    assert "'=1+1" in text
