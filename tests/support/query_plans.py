"""How PostgreSQL plans a query: which scans it makes of a table, and through which index.

With sequential scans priced out (`enable_seqscan = off`), PostgreSQL still chooses a Seq Scan
when no index can serve a query; so a plan without one on a table shows the query can be
answered by an index walk however many rows the table holds.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


async def table_scans(
    session: AsyncSession, query: Any, *, table: str
) -> list[tuple[str, str | None]]:
    """(node type, index name) of each scan of `table` in the plan of `query`."""
    compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    await session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    rows = (await session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {compiled}"))).scalar_one()
    return [
        (node["Node Type"], node.get("Index Name") or _bitmap_index(node))
        for node in _nodes(rows[0]["Plan"])
        if node.get("Relation Name") == table
    ]


def _bitmap_index(node: dict[str, Any]) -> str | None:
    """The index a Bitmap Heap Scan reads through (its one Bitmap Index Scan)."""
    children = [c for c in node.get("Plans", []) if c["Node Type"] == "Bitmap Index Scan"]
    return children[0]["Index Name"] if len(children) == 1 else None


async def index_conditions(session: AsyncSession, query: Any, *, table: str) -> list[str]:
    """The index condition (`Index Cond`) of each index scan of `table` in the plan of `query`:
    what bounds the walk, as against what is only filtered on the way."""
    compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    await session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    rows = (await session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {compiled}"))).scalar_one()
    return [
        str(node.get("Index Cond", ""))
        for node in _nodes(rows[0]["Plan"])
        if node.get("Relation Name") == table and "Index Name" in node
    ]
