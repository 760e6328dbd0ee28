"""Where a case's categories are kept, and how their second copy follows the first.

Decision: `cases.categories` (a JSON list, in the order screening or intake gave it) is the
categories of a case; it is what a case and a list row show and what the history records. The
`case_categories` table is a copy strictly derived from it by `category_rows`, one row per
category carrying its case's `created_at`, because a category filter on the case list must walk
an index newest first (`ix_case_categories_category_created_at`), which a JSON column cannot
offer on both databases. Nothing else writes those rows: intake adds them with the case, and a
change of categories (screening) rewrites them in the same transaction. `bench/seed_cases.py`
derives them the same way in SQL, and a test compares the two copies after every kind of write.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case, CaseCategory
from models.enums import Category


def category_values(case: Case) -> list[dict[str, object]]:
    """The values of the `case_categories` rows that mirror `case.categories`."""
    return [
        {"case_id": case.id, "category": Category(c), "created_at": case.created_at}
        for c in case.categories
    ]


def category_rows(case: Case) -> list[CaseCategory]:
    """The `case_categories` rows that mirror `case.categories` (as `category_values`)."""
    return [
        CaseCategory(case_id=case.id, category=Category(c), created_at=case.created_at)
        for c in case.categories
    ]


# The table's own INSERT for a new case's rows (not the ORM's bulk path).
INSERT_CATEGORY_ROWS = sa.insert(CaseCategory.__table__)  # type: ignore[attr-defined]


async def rewrite_category_rows(session: AsyncSession, *, case: Case) -> None:
    """Make the rows mirror `case.categories` again after it changed (the case row is locked)."""
    # The case's own changes are flushed with the rest of the request's, in one statement.
    with session.no_autoflush:
        await session.execute(sa.delete(CaseCategory).where(col(CaseCategory.case_id) == case.id))
    session.add_all(category_rows(case))
