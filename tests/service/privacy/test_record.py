"""The record of processing as generated from the declarations."""

from __future__ import annotations

import csv
import io

from models.processing import ACTIVITIES, TABLES
from service.privacy.record import record_as_csv, record_of_processing


def test_every_personal_column_appears_once_under_its_activity() -> None:
    generated = record_of_processing()
    listed = [(c.table, c.column) for a in generated.activities for c in a.columns]
    declared = [(t, c) for t, d in TABLES.items() for c in d.personal]
    assert sorted(listed) == sorted(declared)
    assert [a.name for a in generated.activities] == list(ACTIVITIES)


def test_the_csv_has_a_row_per_activity_and_category() -> None:
    generated = record_of_processing()
    rows = list(csv.DictReader(io.StringIO(record_as_csv(generated).lstrip("\ufeff"))))
    assert len(rows) == sum(len(a.categories) for a in generated.activities)
    health = next(r for r in rows if r["activity"] == "case_handling" and r["category"] == "health")
    assert set(health["stored_in"].split()) == {"cases.client_disability", "cases.client_pregnant"}
