"""Warnings, breaches and recomputed due times, as the worker records them on a movable clock."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

import routers.deadline_queues
from models.base import utcnow
from models.case import Case
from models.enums import Role
from models.events import CaseEvent
from models.routing import CaseRouting
from models.user import User
from service.cases.events import verify_chain
from service.demo.seed import seed_demo
from service.platform.crypto import audit_key
from service.platform.settings import Settings
from service.worker.runner import run_round
from tests.conftest import Actor, access_headers
from tests.support.cases import CASES, anonymous_body, create_case, move

QUEUES = "/api/v1/queues"
CRITICAL = {"immediate_danger": True}


async def _events(session: AsyncSession, case_id: str | uuid.UUID) -> list[CaseEvent]:
    query = (
        sa.select(CaseEvent)
        .where(col(CaseEvent.case_id) == uuid.UUID(str(case_id)))
        .order_by(col(CaseEvent.seq))
    )
    return list((await session.scalars(query)).all())


async def _types(session: AsyncSession, case_id: str | uuid.UUID) -> Counter[str]:
    return Counter(event.type.value for event in await _events(session, case_id))


async def _case(session: AsyncSession, case_id: str) -> Case:
    case = await session.get(Case, uuid.UUID(case_id), populate_existing=True)
    assert case is not None
    return case


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Move the queues' clock to `moment` (the worker's is passed to each round)."""
    monkeypatch.setattr(routers.deadline_queues, "utcnow", lambda: moment)


async def _demo_headers(session: AsyncSession, settings: Settings, username: str) -> Any:
    user = (await session.scalars(sa.select(User).where(col(User.username) == username))).one()
    return await access_headers(session, settings, user)


async def test_with_the_demo_data_a_critical_case_breaches_its_first_response_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await seed_demo(session, settings=settings, now=utcnow())
    await session.commit()
    volunteer = await _demo_headers(session, settings, "demo.volunteer")
    supervisor = await _demo_headers(session, settings, "demo.supervisor")
    await session.commit()
    case = await create_case(client, volunteer, anonymous_body(**CRITICAL))
    opened = datetime.fromisoformat(case["created_at"])
    first = case["deadlines"]["first_response"]
    assert datetime.fromisoformat(first["due_at"]) == opened + timedelta(hours=1)
    assert first["state"] == "on_time"

    await run_round(sessionmaker, settings=settings, now=opened + timedelta(minutes=50))
    assert (await _types(session, case["id"]))["sla_at_risk"] == 1
    late = opened + timedelta(minutes=61)
    for _ in range(2):  # a second round finds nothing left to record
        await run_round(sessionmaker, settings=settings, now=late)
    types = await _types(session, case["id"])
    assert types["sla_breached"] == 1
    assert types["sla_at_risk"] == 1
    assert types["escalated"] == 1  # a critical case's missed first response goes up
    breach = next(e for e in await _events(session, case["id"]) if e.type.value == "sla_breached")
    assert breach.actor_id is None
    assert breach.data == {
        "deadline": "first_response",
        "due_at": (opened + timedelta(hours=1)).isoformat(),
        "seconds_overdue": 60,
    }
    routing = await session.get(CaseRouting, uuid.UUID(case["id"]))
    assert routing is not None and routing.escalated_at == late
    assert (await _case(session, case["id"])).first_response_breached_at == late

    _at(monkeypatch, late)
    page = (await client.get(f"{QUEUES}/breached?limit=200", headers=supervisor)).json()
    mine = [item for item in page["items"] if item["case_id"] == case["id"]]
    assert [(i["deadline"], i["seconds_overdue"]) for i in mine] == [("first_response", 60)]
    detail = (await client.get(f"{CASES}/{case['id']}", headers=supervisor)).json()
    assert detail["deadlines"]["first_response"]["due_at"] == first["due_at"]


async def test_screening_in_time_leaves_nothing_to_record(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    actors: dict[Role, Actor],
) -> None:
    caseworker = actors[Role.caseworker].headers
    case = await create_case(client, caseworker, anonymous_body(**CRITICAL))
    screened = await move(client, caseworker, case["id"], "screened")
    assert screened.status_code == 200, screened.text
    first = screened.json()["deadlines"]["first_response"]
    assert first["state"] == "met"
    assert first["met_at"] == screened.json()["screened_at"]

    opened = datetime.fromisoformat(case["created_at"])
    await run_round(sessionmaker, settings=settings, now=opened + timedelta(hours=2))
    types = await _types(session, case["id"])
    assert types["sla_breached"] == types["sla_at_risk"] == 0


async def test_resolution_pauses_while_the_client_is_awaited_and_breaches_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    actors: dict[Role, Actor],
) -> None:
    caseworker = actors[Role.caseworker].headers
    case = await create_case(client, caseworker, anonymous_body(**CRITICAL))
    for status in ("screened", "in_progress", "awaiting_client"):
        answer = await move(client, caseworker, case["id"], status)
        assert answer.status_code == 200, answer.text
    resolution = answer.json()["deadlines"]["resolution"]
    assert resolution["state"] == "paused"
    assert resolution["due_at"] is None

    opened = datetime.fromisoformat(case["created_at"])
    await run_round(sessionmaker, settings=settings, now=opened + timedelta(days=5))
    assert (await _types(session, case["id"]))["sla_breached"] == 0  # paused: nothing is due

    answer = await move(client, caseworker, case["id"], "in_progress")
    resolution = answer.json()["deadlines"]["resolution"]
    due_at = datetime.fromisoformat(resolution["due_at"])
    assert due_at > opened + timedelta(days=3)  # the time waited does not count
    stored = await _case(session, case["id"])
    assert len(stored.clock_pauses) == 1 and stored.clock_paused_at is None

    for _ in range(2):
        await run_round(sessionmaker, settings=settings, now=due_at + timedelta(seconds=1))
    types = await _types(session, case["id"])
    assert types["sla_breached"] == 1
    assert types["escalated"] == 0  # the first response was met; resolution does not escalate


async def test_a_case_paused_past_its_warning_point_warns_of_nothing_until_the_client_answers(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    actors: dict[Role, Actor],
) -> None:
    """A critical case (3 days to resolve, warned at 54 hours) opened 60 hours ago and then left
    waiting for the client: its warning is not recorded while the clock is held, and it does
    not stop the warning of another case in the same round."""
    caseworker = actors[Role.caseworker].headers
    waiting = await create_case(client, caseworker, anonymous_body(**CRITICAL))
    other = await create_case(client, caseworker, anonymous_body(**CRITICAL))
    now = utcnow()
    for case in (waiting, other):
        await session.execute(
            sa.update(Case)
            .where(col(Case.id) == uuid.UUID(case["id"]))
            .values(created_at=now - timedelta(hours=60), deadline_rules_version=None)
        )
    await session.commit()
    await run_round(sessionmaker, settings=settings, now=now - timedelta(hours=61))  # restamp
    for status in ("screened", "in_progress", "awaiting_client"):
        answer = await move(client, caseworker, waiting["id"], status)
        assert answer.status_code == 200, answer.text
    resolution = answer.json()["deadlines"]["resolution"]
    assert resolution["state"] == "paused"
    assert resolution["due_at"] is None and resolution["warn_at"] is None

    await run_round(sessionmaker, settings=settings, now=now + timedelta(minutes=1))
    assert (await _types(session, waiting["id"]))["sla_at_risk"] == 0
    other_warnings = [
        e.data["deadline"]
        for e in await _events(session, other["id"])
        if e.type.value in ("sla_at_risk", "sla_breached")
    ]
    assert "resolution" in other_warnings

    answer = await move(client, caseworker, waiting["id"], "in_progress")
    resolution = answer.json()["deadlines"]["resolution"]
    assert resolution["state"] == "at_risk"
    await run_round(sessionmaker, settings=settings, now=utcnow() + timedelta(minutes=1))
    warnings = [
        e.data for e in await _events(session, waiting["id"]) if e.type.value == "sla_at_risk"
    ]
    assert [w["deadline"] for w in warnings] == ["resolution"]
    assert datetime.fromisoformat(warnings[0]["due_at"]) == datetime.fromisoformat(
        resolution["due_at"]
    )


async def test_both_deadlines_breached_in_one_round_are_chained_one_after_the_other(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    actors: dict[Role, Actor],
) -> None:
    case = await create_case(client, actors[Role.caseworker].headers, anonymous_body(**CRITICAL))
    opened = datetime.fromisoformat(case["created_at"])
    counts = await run_round(sessionmaker, settings=settings, now=opened + timedelta(days=4))
    assert counts["deadline_breaches"] == 2
    breaches = [e for e in await _events(session, case["id"]) if e.type.value == "sla_breached"]
    assert [e.data["deadline"] for e in breaches] == ["first_response", "resolution"]
    stored = await _case(session, case["id"])
    problems = verify_chain(
        audit_key(settings.data_key),
        case_id=stored.id,
        events=await _events(session, case["id"]),
        anchor_count=stored.event_count,
        anchor_hash=stored.last_event_hash,
    )
    assert problems == []


async def test_new_rules_move_counting_cases_and_keep_what_was_recorded(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    actors: dict[Role, Actor],
) -> None:
    caseworker = actors[Role.caseworker].headers
    case = await create_case(client, caseworker, anonymous_body(**CRITICAL))
    opened = datetime.fromisoformat(case["created_at"])
    await run_round(sessionmaker, settings=settings, now=opened + timedelta(minutes=50))
    warned = await _case(session, case["id"])
    version, warned_at = warned.deadline_rules_version, warned.first_response_warned_at
    assert warned_at is not None

    policies = (await client.get("/api/v1/policies/deadlines", headers=caseworker)).json()
    for item in policies["items"]:
        if item["urgency"] == "critical":
            item["first_response"] = {"amount": 2, "unit": "hours"}
    changed = await client.put(
        "/api/v1/policies/deadlines", json=policies, headers=actors[Role.admin].headers
    )
    assert changed.status_code == 200, changed.text
    # A case stamped before the migration added due times has none yet.
    await session.execute(
        sa.update(Case)
        .where(col(Case.id) == uuid.UUID(case["id"]))
        .values(deadline_rules_version=None, first_response_due_at=None)
    )
    await session.commit()

    counts = await run_round(sessionmaker, settings=settings, now=opened + timedelta(minutes=70))
    assert counts["deadline_times"] >= 1
    restamped = await _case(session, case["id"])
    assert restamped.deadline_rules_version not in (None, version)
    assert restamped.first_response_due_at == opened + timedelta(hours=2)
    assert restamped.first_response_warned_at == warned_at  # recorded warnings stay
    assert (await _types(session, case["id"]))["sla_breached"] == 0  # not due under new rules
    again = await run_round(sessionmaker, settings=settings, now=opened + timedelta(minutes=71))
    assert again["deadline_times"] == 0
