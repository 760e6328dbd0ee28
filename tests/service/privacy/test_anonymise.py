"""Anonymising a case: the columns cleared come from the declarations; twice is once; an open
case is refused."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.case import Case
from models.consent import CaseConsent
from models.enums import CaseEventType, Role
from models.events import CaseEvent
from models.processing import TABLES
from service.platform.errors import Conflict, NotFound
from service.privacy.anonymise import (
    ANONYMISED_TEXT,
    KEPT_COLUMNS,
    STAFF_CATEGORIES,
    anonymise_case,
    cleared_columns,
    cleared_row,
    generalised_age,
)
from tests.support.cases import CASES, create_case, intake_body, move

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


def test_every_personal_client_column_is_cleared_or_kept_on_purpose() -> None:
    for table_name in ("cases", "case_notes", "case_consents", "offers", "referrals"):
        personal = {
            c for c, category in TABLES[table_name].personal.items()
            if category not in STAFF_CATEGORIES
        }  # fmt: skip
        kept = KEPT_COLUMNS.get(table_name, frozenset())
        assert set(cleared_columns(table_name)) == personal - kept
    row = cleared_row("cases")
    assert row["summary"] == ANONYMISED_TEXT
    assert row["client_first_name"] is None and row["client_id_hash"] is None
    assert row["client_disability"] is False and row["client_languages"] == []
    assert (row["client_id_type"], row["reporter_relationship"]) == ("unknown", "other")
    assert "created_by_id" not in row and "province_code" not in row
    assert cleared_row("case_notes") == {"body": ANONYMISED_TEXT}


def test_the_age_is_kept_as_its_decade() -> None:
    case = Case(client_birth_date=date(1947, 12, 1))
    assert generalised_age(case, NOW) == 70
    assert generalised_age(Case(client_age_estimate=9), NOW) == 0
    assert generalised_age(Case(), NOW) is None


async def _closed_case(client: httpx.AsyncClient, headers: dict[str, str]) -> dict:
    case = await create_case(client, headers, intake_body())
    for step in ("screened", "in_progress", "resolved"):
        assert (await move(client, headers, case["id"], step)).status_code == 200
    closed = await move(client, headers, case["id"], "closed", closure_reason="resolved")
    assert closed.status_code == 200, closed.text
    return case


async def test_anonymising_twice_changes_nothing_the_second_time(
    client: httpx.AsyncClient, session: AsyncSession, actors, settings
) -> None:
    headers = actors[Role.caseworker].headers
    case = await _closed_case(client, headers)
    case_id = uuid.UUID(case["id"])
    kwargs = dict(secret=settings.data_key, case_id=case_id, actor_id=None, now=NOW)
    assert await anonymise_case(session, **kwargs, reason="retention") is True
    stored = await session.get(Case, case_id)
    assert stored is not None
    version, count = stored.version, stored.event_count
    assert stored.client_first_name is None and stored.summary == ANONYMISED_TEXT
    assert stored.client_gender is not None and stored.client_age_estimate == 70
    assert await anonymise_case(session, **kwargs, reason="retention") is False
    assert (stored.version, stored.event_count) == (version, count)
    types = (
        await session.scalars(
            sa.select(CaseEvent.type).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        )
    ).all()
    assert types.count(CaseEventType.anonymised) == 1
    shown = await client.get(f"{CASES}/{case_id}", headers=actors[Role.supervisor].headers)
    assert shown.status_code == 200, shown.text
    assert shown.json()["client"]["first_name"] is None


async def test_an_open_case_is_refused_and_unknown_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession, actors, settings
) -> None:
    case = await create_case(client, actors[Role.caseworker].headers, intake_body())
    with pytest.raises(Conflict) as refused:
        await anonymise_case(
            session, secret=settings.data_key, case_id=uuid.UUID(case["id"]), actor_id=None,
            now=NOW, reason="retention",
        )  # fmt: skip
    assert refused.value.code == "privacy.case_open"
    stored = await session.get(Case, uuid.UUID(case["id"]))
    assert stored is not None and stored.client_first_name == "สมศรี"
    with pytest.raises(NotFound):
        await anonymise_case(
            session, secret=settings.data_key, case_id=uuid.uuid4(), actor_id=None, now=NOW,
            reason="retention",
        )  # fmt: skip


async def test_a_consent_record_keeps_what_was_allowed_and_loses_the_guardian(
    client: httpx.AsyncClient, session: AsyncSession, actors, settings
) -> None:
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers, intake_body())
    recorded = await client.post(
        f"{CASES}/{case['id']}/consents",
        json={
            "groups": ["contact"],
            "guardian_name": "นางสมร ใจดี",
            "guardian_relationship": "มารดา",
        },
        headers=headers,
    )
    assert recorded.status_code == 201, recorded.text
    for step in ("screened", "in_progress", "resolved"):
        assert (await move(client, headers, case["id"], step)).status_code == 200
    closed = await move(client, headers, case["id"], "closed", closure_reason="resolved")
    assert closed.status_code == 200, closed.text
    case_id = uuid.UUID(case["id"])
    kwargs = dict(secret=settings.data_key, case_id=case_id, actor_id=None, now=NOW)
    assert await anonymise_case(session, **kwargs, reason="erasure") is True
    row = await session.scalar(
        sa.select(CaseConsent)
        .where(CaseConsent.case_id == case_id)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    assert row.guardian_name is None and row.guardian_relationship is None
    assert row.groups == ["contact"]
