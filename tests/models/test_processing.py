"""Every column of every table is declared in the record of processing, exactly once."""

from __future__ import annotations

from sqlmodel import SQLModel

import models  # noqa: F401  (every table registered)
from models.processing import ACTIVITIES, TABLES


def test_every_column_is_declared_personal_or_not() -> None:
    problems = []
    for table in SQLModel.metadata.tables.values():
        declared = TABLES.get(table.name)
        if declared is None:
            problems.append(f"{table.name}: no declaration in models/processing.py")
            continue
        columns = {column.name for column in table.columns}
        personal, other = set(declared.personal), set(declared.other)
        problems += [f"{table.name}.{c}: not declared" for c in sorted(columns - personal - other)]
        problems += [
            f"{table.name}.{c}: no such column" for c in sorted((personal | other) - columns)
        ]
        problems += [f"{table.name}.{c}: declared twice" for c in sorted(personal & other)]
    assert problems == []


def test_no_declaration_names_a_table_that_does_not_exist() -> None:
    assert set(TABLES) <= set(SQLModel.metadata.tables)


def test_every_table_belongs_to_a_declared_activity() -> None:
    assert {declared.activity for declared in TABLES.values()} <= set(ACTIVITIES)
