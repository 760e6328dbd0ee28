"""Duplicate candidates come through indexes, over every open case however old: name variants
in Thai and Latin script, an old case among 10,000 newer ones, and the query plan (PostgreSQL).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bench.explain_cases import explain
from models.case import Case, CaseCreate
from models.enums import DuplicateReason, Role
from service.cases.duplicates import candidate_query, find_possible_duplicates
from service.cases.intake import check_intake
from service.platform.db import dialect_name
from tests.conftest import create_user
from tests.support.cases import intake_body

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
NEWER_CASES = 10_000
DISTRICT = {"province_code": "10", "district_code": "1001"}


def _intake(first: str | None, last: str | None, **client: Any) -> Any:
    body = intake_body()
    body["client"] = {"first_name": first, "last_name": last, "id_type": "unknown", **client}
    body["location"] = {**DISTRICT, "subdistrict_code": "100101", "postal_code": "10200"}
    return check_intake(CaseCreate.model_validate(body), now=NOW)


def _row(reporter: uuid.UUID, number: int, *, at: datetime, **columns: Any) -> dict[str, Any]:
    """A case row as intake stores it, for a bulk insert."""
    normalised = _intake(columns.pop("first", None), columns.pop("last", None))
    return {
        **normalised.columns,
        "id": uuid.uuid4(),
        "reference": f"OS-2567-{number:06d}",
        "status": "new",
        "created_by_id": reporter,
        "client_reference": None,
        "created_at": at,
        "updated_at": at,
        "recorded_at": at,
        "version": 1,
        "event_count": 1,
        **columns,
    }


async def _insert(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(sa.insert(Case), rows)


async def _found(session: AsyncSession, first: str | None, last: str | None, **client: Any):
    normalised = _intake(first, last, **client)
    return await find_possible_duplicates(session, columns=normalised.columns, name=normalised.name)


@pytest.fixture
async def old_case(session: AsyncSession) -> uuid.UUID:
    """An open case of สมศรี ใจดี two years old, then 10,000 newer open cases of other
    people in the same district (one Core insert, not intakes)."""
    reporter = (await create_user(session, Role.volunteer)).id
    old = _row(reporter, 1, at=NOW - timedelta(days=730), first="นางสมศรี", last="ใจดี")
    # The newer cases' name keys are computed once and varied with a number, which keeps
    # them apart from the old case's (a letter and digits never sound like สมศรี).
    template = _row(reporter, 2, at=NOW, first="ทดสอบ", last="ไม่ซ้ำ")
    newer = [
        {
            **template,
            "id": uuid.uuid4(),
            "reference": f"OS-2569-{n:06d}",
            "created_at": NOW - timedelta(minutes=n),
            "client_name_key": f"ทดสอบ{n}",
            "client_first_sound": f"ท{n % 1000:03d}",
            "client_first_skeleton": f"tsp{n}",
            "client_last_sound": f"ม{n % 1000:03d}",
            "client_last_skeleton": f"mst{n}",
        }
        for n in range(1, NEWER_CASES + 1)
    ]
    await _insert(session, [old, *newer])
    return uuid.UUID(str(old["id"]))


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("สมศรี", "ใจดี"),
        ("นางสาว สมศรี", "ใจดี"),  # another title
        ("สมสี", "ใจดี"),  # a common misspelling
        ("สมศรี", "ใจดีย์"),  # a silent letter added
        ("ส้มศรี", "ใจดี"),  # a stray tone mark
        ("Somsri", "Jaidee"),  # a Latin transliteration
        ("Mrs Somsri", "Jaide"),  # another transliteration
    ],
)
async def test_an_old_open_case_is_found_among_many_newer(
    session: AsyncSession, old_case: uuid.UUID, first: str, last: str
) -> None:
    found = await _found(session, first, last)
    assert [(d.id, d.reasons) for d in found] == [(old_case, {DuplicateReason.name})]


@pytest.mark.parametrize(("first", "last"), [("มานี", "ใจดี"), ("Somchai", "Jaidee")])
async def test_another_person_is_not_flagged(
    session: AsyncSession, old_case: uuid.UUID, first: str, last: str
) -> None:
    assert await _found(session, first, last) == []


async def test_a_closed_case_is_not_a_candidate(session: AsyncSession, old_case: uuid.UUID) -> None:
    await session.execute(sa.update(Case).where(Case.id == old_case).values(status="closed"))
    assert await _found(session, "สมศรี", "ใจดี") == []


async def test_candidate_queries_read_through_indexes(
    session: AsyncSession, old_case: uuid.UUID
) -> None:
    if dialect_name(session) != "postgresql":
        pytest.skip("query plans are PostgreSQL's (production); SQLite has no comparable planner")
    connection = await session.connection()
    await connection.execute(sa.text("ANALYZE cases"))
    for first, last, client in (
        ("Somsri", "Jaidee", {}),
        ("สมศรี", "ใจดี", {"phone": "0812345678"}),
        (None, None, {"id_type": "thai_id", "id_number": "1101700230708"}),
    ):
        normalised = _intake(first, last, **client)
        # The lookup hashes under every configured data key (one key here).
        id_hashes = ["k1:" + "0" * 64] if client.get("id_number") else []
        query = candidate_query(normalised.columns, id_hashes=id_hashes)
        assert query is not None
        plan = await explain(connection, query)
        assert plan.seq_scans() == [], plan.summary()
