"""Storing a new case with everything that comes with it: its category rows, its first events
and its possible-duplicate links, all or nothing.

The case row goes in unless this reporter's `client_reference` already has a case
(`ON CONFLICT DO NOTHING`); the other rows go in only with it. Every row is written with every
column of its table, read from the objects intake built, so a column added to a table is
written without a change here.

- PostgreSQL: one statement. The case's INSERT returns its id, and data-modifying CTEs insert
  the other tables' rows, each selected from that returned id crossed with the rows sent as one
  JSON array (`json_to_recordset`, typed by the table's columns): no case, no rows.
- SQLite (no data-modifying CTEs): the case's INSERT, then one multi-row INSERT per table.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeGuard

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.case import Case, CaseCategory, DuplicateLink
from models.events import CaseEvent
from service.platform.db import dialect_name

CASES: sa.Table = Case.__table__  # type: ignore[attr-defined]
# What comes with a case, in the order of its foreign keys.
DEPENDENTS: tuple[sa.Table, ...] = (
    CaseCategory.__table__,  # type: ignore[attr-defined]
    CaseEvent.__table__,  # type: ignore[attr-defined]
    DuplicateLink.__table__,  # type: ignore[attr-defined]
)
_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def row_values(table: sa.Table, row: object) -> dict[str, Any]:
    """Every column of `table` from a mapped object's attributes."""
    return {column.name: getattr(row, column.name) for column in table.columns}


def _insert_case(insert: Any) -> Any:
    """The case row's INSERT, unless this caller's `client_reference` already has a case."""
    return (
        insert(CASES)
        .values({c.name: sa.bindparam(c.name, type_=c.type) for c in CASES.columns})
        .on_conflict_do_nothing(index_elements=["created_by_id", "client_reference"])
        .returning(CASES.c.id)
    )


def _rows_parameter(table: sa.Table) -> str:
    return f"rows_{table.name}"


def _postgresql_statement() -> Any:
    """The case's INSERT with its dependents' INSERTs as CTEs selecting from its returned id."""
    new_case = _insert_case(pg_insert).cte("new_case")
    statement = sa.select(new_case.c.id)
    for table in DEPENDENTS:
        rows = (
            sa.func.json_to_recordset(
                sa.cast(sa.bindparam(_rows_parameter(table), type_=sa.Text), postgresql.JSON)
            )
            .table_valued(*(sa.column(c.name, c.type) for c in table.columns))
            .render_derived(name=f"{table.name}_sent", with_types=True)
        )
        insert = sa.insert(table).from_select(
            [c.name for c in table.columns],
            sa.select(*(rows.c[c.name] for c in table.columns)).select_from(
                new_case.join(rows, sa.true())
            ),
        )
        statement = statement.add_cte(insert.cte(f"new_{table.name}"))
    return statement


# Built once; each intake runs them with its own values.
_POSTGRESQL = _postgresql_statement()
_SQLITE_CASE = _insert_case(sqlite_insert)
_SQLITE_DEPENDENTS = {table.name: sa.insert(table) for table in DEPENDENTS}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def _binds_its_own_way(type_: Any) -> TypeGuard[sa.TypeDecorator[Any]]:
    """Whether a column type changes values on their way in (our `UTCDateTime`, `EnumText`)."""
    return isinstance(type_, sa.TypeDecorator) and (
        type(type_).process_bind_param is not sa.TypeDecorator.process_bind_param
    )


def _json_rows(table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> str:
    """`rows` as a JSON array, each value as its column's type binds it."""
    processed = []
    for row in rows:
        values = {}
        for column in table.columns:
            value = row.get(column.name)
            if _binds_its_own_way(column.type):
                value = column.type.process_bind_param(value, _PG)
            values[column.name] = value
        processed.append(values)
    return json.dumps(processed, default=_plain, ensure_ascii=False)


async def insert_new_case(
    session: AsyncSession,
    case: Case,
    dependents: Mapping[str, Sequence[Mapping[str, Any]]],
) -> bool:
    """Insert `case` and, with it, `dependents` (rows by table name: `case_categories`,
    `case_events`, `case_duplicates`); False, and nothing written, when this caller's
    `client_reference` already has a case."""
    values = row_values(CASES, case)
    if dialect_name(session) == "postgresql":
        for table in DEPENDENTS:
            values[_rows_parameter(table)] = _json_rows(table, dependents.get(table.name, ()))
        return (await session.execute(_POSTGRESQL, values)).first() is not None
    if (await session.execute(_SQLITE_CASE, values)).first() is None:
        return False
    for table in DEPENDENTS:
        rows = dependents.get(table.name, ())
        if rows:
            await session.execute(_SQLITE_DEPENDENTS[table.name], list(rows))
    return True
