"""The data-subject requests' decisions, and the due requests the supervisors' queues read."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import IdType, Role
from models.privacy_requests import (
    MatchedCase,
    PrivacyRequest,
    Requester,
    RequestKind,
    RequestOutcome,
    RequestState,
    SubjectIn,
)
from service.privacy.requests import (
    answer_due_at,
    erasure_blockers,
    read_subject,
    request_state,
    requests_due,
)
from tests.support.cases import VALID_THAI_ID

RECEIVED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)


def _request(kind: RequestKind = RequestKind.access, **fields) -> PrivacyRequest:
    values = {
        "kind": kind,
        "requester": Requester.subject,
        "received_at": RECEIVED,
        "due_at": answer_due_at(kind, RECEIVED),
        "recorded_by_id": uuid.uuid4(),
    }
    values.update(fields)
    return PrivacyRequest(**values)


@pytest.mark.parametrize(
    ("kind", "days"),
    [(RequestKind.access, 30), (RequestKind.portability, 30), (RequestKind.erasure, 90),
     (RequestKind.rectification, 30), (RequestKind.objection, 30), (RequestKind.restriction, 30)],
)  # fmt: skip
def test_the_legal_time_to_answer(kind: RequestKind, days: int) -> None:
    assert answer_due_at(kind, RECEIVED) == RECEIVED + timedelta(days=days)


@pytest.mark.parametrize(
    ("days_after", "expected"),
    [(0, RequestState.on_time), (22.9, RequestState.on_time), (23, RequestState.due_soon),
     (29.9, RequestState.due_soon), (30, RequestState.overdue), (45, RequestState.overdue)],
)  # fmt: skip
def test_the_clock(days_after: float, expected: RequestState) -> None:
    assert request_state(_request(), RECEIVED + timedelta(days=days_after)) is expected


def test_an_answered_request_has_no_clock() -> None:
    answered = _request(outcome=RequestOutcome.refused)
    assert request_state(answered, RECEIVED + timedelta(days=60)) is RequestState.answered


def test_identifiers_are_read_in_their_canonical_forms() -> None:
    subject, errors = read_subject(
        SubjectIn(id_number="1-1017-00230-70-8", phone="081-234-5678"), today=TODAY
    )
    assert errors == []
    assert (subject.id_type, subject.id_number, subject.phone) == (
        IdType.thai_id,
        VALID_THAI_ID,
        "+66812345678",
    )
    assert not subject.by_name


@pytest.mark.parametrize(
    ("data", "pointer", "kind"),
    [
        ({}, "/subject", "privacy_subject"),
        ({"first_name": "สมศรี"}, "/subject", "privacy_subject"),
        ({"birth_date": date(1990, 1, 1)}, "/subject", "privacy_subject"),
        ({"id_number": "1101700230709"}, "/subject/id_number", "thai_id_check_digit"),
        ({"id_type": "passport", "id_number": "?"}, "/subject/id_number", "passport"),
        ({"phone": "12"}, "/subject/phone", "phone"),
        ({"first_name": "ก", "birth_date": date(2027, 1, 1)}, "/subject/birth_date", "future"),
    ],
)
def test_what_does_not_identify_a_person(data: dict, pointer: str, kind: str) -> None:
    _, errors = read_subject(SubjectIn(**data), today=TODAY)
    assert [(e["pointer"], e["type"]) for e in errors] == [(pointer, kind)]


def test_an_erasure_waits_for_open_cases() -> None:
    cases = [
        MatchedCase(id=uuid.uuid4(), reference="OS-2026-000001", status="closed"),
        MatchedCase(id=uuid.uuid4(), reference="OS-2026-000002", status="in_progress"),
    ]
    assert erasure_blockers(cases) == ["OS-2026-000002"]
    assert erasure_blockers(cases[:1]) == []


async def test_requests_due_within_a_window_soonest_first(
    session: AsyncSession, make_actor
) -> None:
    supervisor = await make_actor(Role.supervisor)
    now = datetime.now(UTC)

    def received(days_ago: float, kind: RequestKind = RequestKind.access, **more) -> PrivacyRequest:
        at = now - timedelta(days=days_ago)
        request = _request(
            kind, received_at=at, due_at=answer_due_at(kind, at), recorded_by_id=supervisor.user.id
        )
        for name, value in more.items():
            setattr(request, name, value)
        session.add(request)
        return request

    past = received(35)
    soon = received(27)
    received(10)  # due in 20 days
    received(80, RequestKind.erasure)  # due in 10 days
    received(40, outcome=RequestOutcome.completed)  # answered: not due
    await session.flush()
    due = await requests_due(session, now=now, within=timedelta(days=7))
    assert [r.id for r in due] == [past.id, soon.id]
    assert [r.state for r in due] == [RequestState.overdue, RequestState.due_soon]
    wider = await requests_due(session, now=now, within=timedelta(days=14))
    assert len(wider) == 3
