"""A new case and what comes with it are stored whole, every column as intake set it, or not at
all (on PostgreSQL in one statement, on SQLite in one per table)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col

from models.base import utcnow
from models.case import Case, CaseCategory, DuplicateLink
from models.enums import CaseEventType, Role
from models.events import CaseEvent
from service.cases.categories import category_values
from service.cases.events import chain_event, verify_chain
from service.cases.new_case_rows import CASES, insert_new_case, row_values
from service.platform.crypto import audit_key
from tests.support.cases import CASES as CASES_PATH
from tests.support.cases import intake_body


async def _rows(session, model, case_id: uuid.UUID) -> list:
    query = sa.select(model).where(col(model.case_id) == case_id)
    return list((await session.execute(query)).scalars())


async def test_an_intake_stores_its_case_events_categories_and_links_whole(
    client, session, settings, actors
) -> None:
    caseworker = actors[Role.caseworker]
    body = intake_body(categories=["older_person", "disability"])
    first = await client.post(CASES_PATH, json=body, headers=caseworker.headers)
    second = await client.post(CASES_PATH, json=body, headers=caseworker.headers)
    assert second.status_code == 201, second.text
    case_id = uuid.UUID(second.json()["id"])
    case = await session.get(Case, case_id)
    assert case is not None

    events = sorted(await _rows(session, CaseEvent, case_id), key=lambda e: e.seq)
    assert [e.type for e in events] == [CaseEventType.created, CaseEventType.duplicate_flagged]
    assert events[1].data == {"candidates": [first.json()["id"]]}
    assert case.event_count == 2 and case.last_event_hash == events[-1].hash
    problems = verify_chain(
        audit_key(settings.data_key),
        case_id=case_id,
        events=events,
        anchor_count=case.event_count,
        anchor_hash=case.last_event_hash,
    )
    assert problems == []
    categories = await _rows(session, CaseCategory, case_id)
    assert sorted(c.category.value for c in categories) == ["disability", "older_person"]
    assert all(c.created_at == case.created_at for c in categories)
    (link,) = await _rows(session, DuplicateLink, case_id)
    assert str(link.candidate_id) == first.json()["id"]
    assert str(link.id) == second.json()["possible_duplicates"][0]["id"]


def _copy(case: Case, **changes: object) -> Case:
    values = row_values(CASES, case)
    values.update(changes)
    return Case(**values)


async def test_every_column_set_on_the_case_is_stored(client, session, settings, actors) -> None:
    """Whatever intake sets on the case before it is stored goes in, deadlines included."""
    made = await client.post(CASES_PATH, json=intake_body(), headers=actors[Role.volunteer].headers)
    original = await session.get(Case, uuid.UUID(made.json()["id"]))
    assert original is not None
    now = utcnow()
    case = _copy(
        original,
        id=uuid.uuid4(),
        reference="OS-TEST-000001",
        client_reference=uuid.uuid4(),
        event_count=0,
        last_event_hash=None,
        chain_anchor=None,
        first_response_due_at=now + timedelta(hours=4),
        deadline_rules_version=7,
    )
    event = chain_event(
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.created,
        actor_id=case.created_by_id,
        now=now,
    )
    rows = {
        "case_categories": category_values(case),
        "case_events": [row_values(CaseEvent.__table__, event)],  # type: ignore[attr-defined]
    }
    expected = row_values(CASES, case)

    assert await insert_new_case(session, case, rows)

    session.expunge_all()
    stored = await session.get(Case, case.id)
    assert stored is not None
    assert row_values(CASES, stored) == expected
    assert stored.first_response_due_at == now + timedelta(hours=4)
    assert stored.deadline_rules_version == 7
    (stored_event,) = await _rows(session, CaseEvent, case.id)
    assert row_values(CaseEvent.__table__, stored_event) == rows["case_events"][0]  # type: ignore[attr-defined]


async def test_a_repeated_client_reference_stores_nothing(
    client, session, settings, actors
) -> None:
    body = intake_body(client_reference=str(uuid.uuid4()))
    made = await client.post(CASES_PATH, json=body, headers=actors[Role.volunteer].headers)
    original = await session.get(Case, uuid.UUID(made.json()["id"]))
    assert original is not None
    again = _copy(
        original,
        id=uuid.uuid4(),
        reference="OS-TEST-000002",
        event_count=0,
        last_event_hash=None,
        chain_anchor=None,
    )
    event = chain_event(
        secret=settings.data_key,
        case=again,
        type_=CaseEventType.created,
        actor_id=again.created_by_id,
        now=utcnow(),
    )
    rows = {
        "case_categories": category_values(again),
        "case_events": [row_values(CaseEvent.__table__, event)],  # type: ignore[attr-defined]
    }

    assert not await insert_new_case(session, again, rows)

    assert await session.get(Case, again.id) is None
    assert await _rows(session, CaseEvent, again.id) == []
    assert await _rows(session, CaseCategory, again.id) == []
