"""The case list as a CSV file (`Accept: text/csv`): its columns, no names, id numbers or
phones, the list's filters, the bound and its cursor, staff only, and each export recorded."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import Role
from models.statistics import ExportRecord
from service.statistics import exports
from service.statistics.csv_files import BYTE_ORDER_MARK
from tests.conftest import Actor
from tests.support.cases import CASES, VALID_THAI_ID, create_case, intake_body

CSV = {"Accept": "text/csv"}


def _rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK))))


async def test_a_case_list_as_csv_holds_no_personal_data(
    client: httpx.AsyncClient, session: AsyncSession, actors: dict[Role, Actor]
) -> None:
    supervisor = actors[Role.supervisor]
    case = await create_case(client, supervisor.headers, intake_body())
    response = await client.get(CASES, headers={**supervisor.headers, **CSV})
    rows = _rows(response)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="cases.csv"'
    assert response.headers["cache-control"] == "no-store"
    assert "next-cursor" not in response.headers
    assert rows[0] == list(exports.CASE_COLUMNS)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["reference"] == case["reference"]
    assert row["categories"] == "older_person;income_livelihood"
    assert (row["province_code"], row["district_code"], row["has_lead"]) == ("10", "1001", "no")
    assert row["opened_at"].endswith("+07:00")
    text = response.content.decode("utf-8")
    # The intake's id number, phones, names and address are nowhere in the file.
    for personal in (VALID_THAI_ID, "1-1017-00230-70-8", "812345678", "891234567", "สมศรี",
                     "ใจดี", "สมชาย", "ราชดำเนิน", str(case["id"])):  # fmt: skip
        assert personal not in text

    [record] = (await session.execute(sa.select(ExportRecord))).scalars()
    assert (record.exported_by_id, record.kind, record.rows) == (supervisor.user.id, "cases", 1)
    assert record.filters == {}


async def test_the_filters_apply_and_are_recorded(
    client: httpx.AsyncClient, session: AsyncSession, actors: dict[Role, Actor]
) -> None:
    caseworker = actors[Role.caseworker]
    await create_case(client, caseworker.headers, intake_body())
    other = await create_case(
        client, caseworker.headers, intake_body(categories=["begging"], urgency="low")
    )
    response = await client.get(
        CASES,
        params={"category": "begging", "urgency": "low"},
        headers={**caseworker.headers, **CSV},
    )
    rows = _rows(response)
    assert [row[0] for row in rows[1:]] == [other["reference"]]
    [record] = (await session.execute(sa.select(ExportRecord))).scalars()
    assert record.filters == {"category": "begging", "urgency": "low"}
    assert record.rows == 1


@pytest.mark.parametrize(
    ("q", "recorded"),
    [(VALID_THAI_ID, "<id number>"), ("081-234-5678", "<phone>"), ("สมศรี", "<name>")],
)
async def test_a_search_is_recorded_by_its_kind_only(
    client: httpx.AsyncClient,
    session: AsyncSession,
    actors: dict[Role, Actor],
    q: str,
    recorded: str,
) -> None:
    headers = actors[Role.caseworker].headers
    await create_case(client, headers, intake_body())
    rows = _rows(await client.get(CASES, params={"q": q}, headers={**headers, **CSV}))
    assert len(rows) == 2
    [record] = (await session.execute(sa.select(ExportRecord))).scalars()
    assert record.filters == {"q": recorded}


async def test_json_is_still_the_default(
    client: httpx.AsyncClient, session: AsyncSession, actors: dict[Role, Actor]
) -> None:
    headers = actors[Role.supervisor].headers
    await create_case(client, headers, intake_body())
    for accept in (None, "application/json", "application/json, text/csv", "text/csv;q=0.5, */*"):
        extra = {"Accept": accept} if accept else {}
        response = await client.get(CASES, headers={**headers, **extra})
        assert response.headers["content-type"] == "application/json", accept
    assert await session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == 0


@pytest.mark.parametrize("role", [Role.volunteer, Role.agency])
async def test_only_staff_export(
    client: httpx.AsyncClient, session: AsyncSession, actors: dict[Role, Actor], role: Role
) -> None:
    response = await client.get(CASES, headers={**actors[role].headers, **CSV})
    assert response.status_code == 403
    assert await session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == 0


async def test_an_export_is_bounded_and_continues_with_its_cursor(
    client: httpx.AsyncClient,
    session: AsyncSession,
    actors: dict[Role, Actor],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "EXPORT_ROWS", 2)
    headers = {**actors[Role.supervisor].headers, **CSV}
    made = [
        await create_case(client, actors[Role.supervisor].headers, intake_body()) for _ in "abc"
    ]
    start = datetime(2026, 11, 2, tzinfo=UTC)
    for hours, case in enumerate(made):
        await session.execute(
            sa.update(Case)
            .where(col(Case.id) == uuid.UUID(case["id"]))
            .values(created_at=start + timedelta(hours=hours))
        )
    await session.commit()
    first = await client.get(CASES, headers=headers)
    assert [row[0] for row in _rows(first)[1:]] == [made[2]["reference"], made[1]["reference"]]
    cursor = first.headers["next-cursor"]
    second = await client.get(CASES, params={"cursor": cursor}, headers=headers)
    assert [row[0] for row in _rows(second)[1:]] == [made[0]["reference"]]
    assert "next-cursor" not in second.headers
    rows = (
        await session.execute(sa.select(ExportRecord.rows).order_by(col(ExportRecord.at)))
    ).scalars()
    assert sorted(rows) == [1, 2]
