"""The `case_categories` rows always mirror the case's own list of categories.

The list on the case is the truth; the rows are derived from it by `category_rows` so a
category filter can walk an index (see `service.cases.categories`). These tests write cases
through every path that sets categories and then compare the two copies in the database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case, CaseCategory
from models.enums import Category, Role
from service.cases.categories import category_rows
from tests.support.cases import CASES, anonymous_body, create_case, move


async def disagreements(session: AsyncSession) -> dict[uuid.UUID, str]:
    """Cases whose rows are not exactly their list of categories, each with what is wrong."""
    cases = (await session.execute(sa.select(Case.id, Case.categories, Case.created_at))).all()
    rows = (
        await session.execute(
            sa.select(CaseCategory.case_id, CaseCategory.category, CaseCategory.created_at)
        )
    ).all()
    found: dict[uuid.UUID, list[tuple[str, datetime]]] = {}
    for case_id, category, created_at in rows:
        found.setdefault(case_id, []).append((Category(category).value, created_at))
    wrong: dict[uuid.UUID, str] = {}
    for case_id, categories, created_at in cases:
        mirrored = found.pop(case_id, [])
        if len(set(categories)) != len(categories):
            wrong[case_id] = f"repeated categories {categories}"
        elif sorted(c for c, _ in mirrored) != sorted(categories):
            wrong[case_id] = f"rows {sorted(c for c, _ in mirrored)} for {sorted(categories)}"
        elif any(at != created_at for _, at in mirrored):
            wrong[case_id] = "rows not at the case's created_at"
    for case_id in found:
        wrong[case_id] = "rows of no case"
    return wrong


def test_category_rows_mirror_the_list() -> None:
    case = Case(
        id=uuid.uuid4(),
        categories=["housing", "older_person"],
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    rows = category_rows(case)
    assert [(r.case_id, r.category, r.created_at) for r in rows] == [
        (case.id, Category.housing, case.created_at),
        (case.id, Category.older_person, case.created_at),
    ]


async def test_intake_screening_and_closing_keep_the_copies_in_step(
    client, actors, session
) -> None:
    caseworker = actors[Role.caseworker].headers
    repeated = await create_case(
        client,
        actors[Role.volunteer].headers,
        anonymous_body(categories=["housing", "older_person", "housing"]),
    )
    assert repeated["categories"] == ["housing", "older_person"]
    screened = await create_case(client, caseworker)
    response = await move(
        client, caseworker, screened["id"], "screened", categories=["disability", "housing"]
    )
    assert response.status_code == 200, response.text
    again = await move(client, caseworker, screened["id"], "closed", closure_reason="out_of_scope")
    assert again.status_code == 200, again.text
    unchanged = await create_case(client, caseworker)
    response = await move(client, caseworker, unchanged["id"], "screened", urgency="high")
    assert response.status_code == 200, response.text

    assert await disagreements(session) == {}
    rows = await session.execute(
        sa.select(col(CaseCategory.category)).where(
            col(CaseCategory.case_id) == uuid.UUID(screened["id"])
        )
    )
    assert sorted(rows.scalars()) == [Category.disability, Category.housing]


async def test_a_row_out_of_step_is_found(client, actors, session) -> None:
    case = await create_case(client, actors[Role.caseworker].headers)
    assert await disagreements(session) == {}
    await session.execute(
        sa.delete(CaseCategory).where(
            col(CaseCategory.case_id) == uuid.UUID(case["id"]),
            col(CaseCategory.category) == Category.older_person,
        )
    )
    assert list(await disagreements(session)) == [uuid.UUID(case["id"])]
    assert (
        await client.get(f"{CASES}/{case['id']}", headers=actors[Role.caseworker].headers)
    ).json()["categories"] == ["older_person", "income_livelihood"]
