"""The stream's log: written by the database for announced events only, read back for a
resume in order and only for the reader, pruned after an hour."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.case import Case
from models.enums import CaseEventType, Role
from models.events import CaseEvent
from models.stream import StreamMessage
from service.platform.db import dialect_name
from service.stream.audience import Viewer
from service.stream.log import REPLAY_LIMIT, RETENTION, missed_messages, prune
from service.stream.messages import Reload
from tests.conftest import MakeActor
from tests.support.cases import create_case


def _row(**fields: Any) -> dict[str, Any]:
    now = utcnow()
    values: dict[str, Any] = {
        "event_id": uuid.uuid4(),
        "type": CaseEventType.created,
        "case_id": uuid.uuid4(),
        "case_reference": "OS-2569-000001",
        "urgency": "high",
        "occurred_at": now,
        "recorded_at": now,
        "reported_by_id": uuid.uuid4(),
    }
    values.update(fields)
    return values


async def _write(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    ids = []
    for row in rows:
        result = await session.execute(
            sa.insert(StreamMessage).values(**row).returning(StreamMessage.id)  # type: ignore[arg-type]
        )
        ids.append(int(result.scalar_one()))
    return ids


async def _announce_now(session: AsyncSession) -> None:
    """Run PostgreSQL's commit-time trigger now (the test's transaction never commits)."""
    if dialect_name(session) == "postgresql":
        await session.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))


async def test_a_resume_sends_what_the_reader_missed_in_order(session: AsyncSession) -> None:
    volunteer = uuid.uuid4()
    first, *_ = await _write(
        session,
        [
            _row(reported_by_id=volunteer),
            _row(reported_by_id=volunteer, type=CaseEventType.escalated),
            _row(),  # someone else's case
            _row(lead_id=volunteer, type=CaseEventType.sla_breached),
        ],
    )
    viewer = Viewer(volunteer, Role.volunteer, None)
    replay = await missed_messages(session, viewer=viewer, after=first)
    assert replay.reload is None
    assert [m.type for m in replay.messages] == [
        CaseEventType.escalated,
        CaseEventType.sla_breached,
    ]
    assert [m.id for m in replay.messages] == sorted(m.id for m in replay.messages)
    staff = Viewer(uuid.uuid4(), Role.caseworker, None)
    assert len((await missed_messages(session, viewer=staff, after=first)).messages) == 3


async def test_a_resume_from_a_forgotten_message_asks_for_a_reload(
    session: AsyncSession,
) -> None:
    (kept,) = await _write(session, [_row()])
    viewer = Viewer(uuid.uuid4(), Role.supervisor, None)
    replay = await missed_messages(session, viewer=viewer, after=kept + 1000)
    assert replay == type(replay)([], Reload.history_gone)


async def test_too_many_missed_messages_ask_for_a_reload(session: AsyncSession) -> None:
    (first,) = await _write(session, [_row()])
    await session.execute(sa.insert(StreamMessage), [_row() for _ in range(REPLAY_LIMIT + 1)])
    viewer = Viewer(uuid.uuid4(), Role.supervisor, None)
    replay = await missed_messages(session, viewer=viewer, after=first)
    assert replay.reload is Reload.too_many_missed and replay.messages == []


async def test_messages_older_than_an_hour_are_pruned(session: AsyncSession) -> None:
    now = utcnow()
    old, fresh = await _write(
        session,
        [
            _row(recorded_at=now - RETENTION - timedelta(seconds=1)),
            _row(recorded_at=now - RETENTION + timedelta(minutes=1)),
        ],
    )
    assert await prune(session, now=now) >= 1
    left = set((await session.scalars(sa.select(StreamMessage.id))).all())
    assert fresh in left and old not in left


async def test_the_database_logs_announced_events_with_ids_and_no_content(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    volunteer = await make_actor(Role.volunteer)
    case = await create_case(client, volunteer.headers)
    case_id = uuid.UUID(case["id"])
    offer_id, helper, organization = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for seq, type_, data in (
        (900, CaseEventType.offer_declined, {"offer_id": str(offer_id), "user_id": str(helper)}),
        (901, CaseEventType.referral_answered, {"organization_id": str(organization)}),
        (902, CaseEventType.note_added, {}),  # not announced
        (903, CaseEventType.escalated, {"user_id": "not an id", "offer_id": 7}),
        (904, CaseEventType.offer_withdrawn, {"offer_id": str(offer_id), "user_id": str(helper)}),
    ):
        session.add(
            CaseEvent(
                case_id=case_id, seq=seq, type=type_, occurred_at=utcnow(), data=data, hash="x"
            )
        )
    await session.flush()
    await _announce_now(session)

    rows = (
        (
            await session.execute(
                sa.select(StreamMessage)
                .where(StreamMessage.case_id == case_id)  # type: ignore[arg-type]
                .order_by(StreamMessage.id)  # type: ignore[arg-type]
            )
        )
        .scalars()
        .all()
    )
    assert [r.type for r in rows] == [
        CaseEventType.created,
        CaseEventType.offer_declined,
        CaseEventType.referral_answered,
        CaseEventType.escalated,
        CaseEventType.offer_withdrawn,
    ]
    created, declined, answered, escalated, withdrawn = rows
    assert created.case_reference == case["reference"]
    assert created.urgency == case["urgency"]
    assert created.reported_by_id == volunteer.user.id
    assert (declined.offer_id, declined.offered_to_id) == (offer_id, helper)
    assert answered.organization_id == organization and answered.offered_to_id is None
    assert (escalated.offered_to_id, escalated.offer_id) == (None, None)
    assert (withdrawn.offer_id, withdrawn.offered_to_id) == (offer_id, helper)


async def test_a_restricted_cases_messages_are_replayed_to_supervisors_only(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    volunteer = await make_actor(Role.volunteer)
    earlier = await create_case(client, volunteer.headers)
    restricted = await create_case(client, volunteer.headers)
    await _announce_now(session)
    restricted_id = uuid.UUID(restricted["id"])
    await session.execute(
        sa.update(Case).where(Case.id == restricted_id).values(restricted_at=utcnow())  # type: ignore[arg-type]
    )
    session.add(
        CaseEvent(
            case_id=restricted_id,
            seq=900,
            type=CaseEventType.escalated,
            occurred_at=utcnow(),
            data={},
            hash="x",
        )
    )
    await session.flush()
    later = await create_case(client, volunteer.headers)
    await _announce_now(session)
    logged = (
        await session.execute(
            sa.select(StreamMessage.case_id, StreamMessage.type, StreamMessage.restricted)  # type: ignore[call-overload]
            .where(StreamMessage.case_id == restricted_id)
            .order_by(StreamMessage.id)
        )
    ).all()
    # Written as the case stood: created before its restriction, escalated during it.
    assert [(row.type, row.restricted) for row in logged] == [
        (CaseEventType.created, False),
        (CaseEventType.escalated, True),
    ]
    first: int | None = await session.scalar(
        sa.select(StreamMessage.id).where(StreamMessage.case_id == uuid.UUID(earlier["id"]))  # type: ignore[call-overload]
    )

    assert first is not None

    async def replayed(role: Role, user_id: uuid.UUID) -> list[tuple[str, str]]:
        replay = await missed_messages(session, viewer=Viewer(user_id, role, None), after=first)
        return [(str(m.case_id), m.type.value) for m in replay.messages]

    assert await replayed(Role.supervisor, uuid.uuid4()) == [
        (restricted["id"], "created"),
        (restricted["id"], "escalated"),
        (later["id"], "created"),
    ]
    for role, user_id in ((Role.caseworker, uuid.uuid4()), (Role.volunteer, volunteer.user.id)):
        assert await replayed(role, user_id) == [(later["id"], "created")], role
