"""Deadline policies and the working calendar: who reads, who sets, what is refused."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models.base import utcnow
from models.enums import Role, Urgency
from service.deadlines.calendar import due_at
from service.deadlines.policies import read_rules
from service.platform.settings import Settings
from service.thai.dates import BANGKOK
from tests.conftest import Actor, committed_actor

DEADLINES = "/api/v1/policies/deadlines"
CALENDAR = "/api/v1/policies/calendar"
THIS_YEAR = utcnow().astimezone(BANGKOK).year


def _policies(**changes: dict[str, Any]) -> dict[str, Any]:
    items = {
        "critical": {
            "first_response": {"amount": 1, "unit": "hours"},
            "resolution": {"amount": 3, "unit": "days"},
        },
        "high": {
            "first_response": {"amount": 4, "unit": "hours"},
            "resolution": {"amount": 7, "unit": "days"},
        },
        "normal": {
            "first_response": {"amount": 1, "unit": "business_days"},
            "resolution": {"amount": 30, "unit": "business_days"},
        },
        "low": {
            "first_response": {"amount": 3, "unit": "business_days"},
            "resolution": {"amount": 60, "unit": "business_days"},
        },
    }
    items.update(changes)
    return {"items": [{"urgency": urgency, **budgets} for urgency, budgets in items.items()]}


def _calendar(**changes: Any) -> dict[str, Any]:
    day = [{"start": "08:30", "end": "12:00"}, {"start": "13:00", "end": "16:30"}]
    body: dict[str, Any] = {
        "week": {name: day for name in ("monday", "tuesday", "wednesday", "thursday", "friday")},
        "closed_days": [],
        "open_days": [],
    }
    body.update(changes)
    return body


def _pointers(response: httpx.Response) -> list[str]:
    return [error.get("pointer") for error in response.json()["errors"]]


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize("role", [Role.caseworker, Role.supervisor, Role.admin])
async def test_staff_and_admins_read_the_defaults(
    client: httpx.AsyncClient, actors: dict[Role, Actor], role: Role
) -> None:
    response = await client.get(DEADLINES, headers=actors[role].headers)
    assert response.status_code == 200
    assert response.json() == _policies()


@pytest.mark.parametrize("role", [Role.volunteer, Role.agency])
async def test_volunteers_and_agencies_may_not_read_policies(
    client: httpx.AsyncClient, actors: dict[Role, Actor], role: Role
) -> None:
    for path in (DEADLINES, CALENDAR):
        assert (await client.get(path, headers=actors[role].headers)).status_code == 403
    assert (await client.get(DEADLINES)).status_code == 401


async def test_an_admin_sets_the_policies_and_everyone_reads_them(
    client: httpx.AsyncClient, actors: dict[Role, Actor]
) -> None:
    changed = _policies(
        high={
            "first_response": {"amount": 2, "unit": "hours"},
            "resolution": {"amount": 5, "unit": "business_days"},
        }
    )
    shuffled = {"items": list(reversed(changed["items"]))}
    response = await client.put(DEADLINES, json=shuffled, headers=actors[Role.admin].headers)
    assert response.status_code == 200
    assert response.json() == changed  # in urgency order
    again = await client.get(DEADLINES, headers=actors[Role.caseworker].headers)
    assert again.json() == changed


@pytest.mark.parametrize("role", [Role.caseworker, Role.supervisor, Role.volunteer, Role.agency])
async def test_only_admins_set_policies(
    client: httpx.AsyncClient, actors: dict[Role, Actor], role: Role
) -> None:
    response = await client.put(DEADLINES, json=_policies(), headers=actors[role].headers)
    assert response.status_code == 403
    response = await client.put(
        CALENDAR, json=_calendar(), headers={**actors[role].headers, "If-Match": "*"}
    )
    assert response.status_code == 403


async def test_policies_must_name_each_urgency_once_with_positive_amounts(
    client: httpx.AsyncClient, actors: dict[Role, Actor]
) -> None:
    admin = actors[Role.admin].headers
    twice = _policies()
    twice["items"][3]["urgency"] = "normal"
    response = await client.put(DEADLINES, json=twice, headers=admin)
    assert response.status_code == 422
    assert _pointers(response) == ["/items"]

    zero = _policies(
        low={
            "first_response": {"amount": 0, "unit": "hours"},
            "resolution": {"amount": 1, "unit": "fortnights"},
        }
    )
    response = await client.put(DEADLINES, json=zero, headers={**admin, "Accept-Language": "en"})
    assert response.status_code == 422
    assert sorted(_pointers(response)) == [
        "/items/3/first_response/amount",
        "/items/3/resolution/unit",
    ]
    assert (await client.get(DEADLINES, headers=admin)).json() == _policies()  # nothing changed


# --------------------------------------------------------------------------- calendar


async def test_the_default_calendar_lists_the_thai_holidays_it_skips(
    client: httpx.AsyncClient, actors: dict[Role, Actor]
) -> None:
    response = await client.get(CALENDAR, headers=actors[Role.supervisor].headers)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"0"'
    body = response.json()
    assert body["week"] == _calendar()["week"] | {"saturday": [], "sunday": []}
    days = {holiday["day"]: holiday for holiday in body["holidays"]}
    songkran = days[f"{THIS_YEAR}-04-13"]
    assert songkran["name_en"] == "Songkran Festival"
    assert songkran["name_th"] == "วันสงกรานต์"


async def test_an_admin_changes_the_calendar_with_if_match(
    client: httpx.AsyncClient, actors: dict[Role, Actor]
) -> None:
    admin = actors[Role.admin].headers
    body = _calendar(closed_days=[f"{THIS_YEAR}-12-30"], open_days=[f"{THIS_YEAR}-04-13"])

    assert (await client.put(CALENDAR, json=body, headers=admin)).status_code == 428
    stale = await client.put(CALENDAR, json=body, headers={**admin, "If-Match": '"7"'})
    assert stale.status_code == 412

    saved = await client.put(CALENDAR, json=body, headers={**admin, "If-Match": '"0"'})
    assert saved.status_code == 200
    assert saved.headers["ETag"] == '"1"'
    days = {holiday["day"]: holiday for holiday in saved.json()["holidays"]}
    assert days[f"{THIS_YEAR}-12-30"]["name_en"] == "Closed (the center's own day)"
    assert f"{THIS_YEAR}-04-13" not in days
    assert f"{THIS_YEAR}-04-14" in days

    again = await client.put(CALENDAR, json=body, headers={**admin, "If-Match": '"0"'})
    assert again.status_code == 412


@pytest.mark.parametrize(
    ("week", "pointer"),
    [
        ({"monday": [{"start": "12:00", "end": "08:30"}]}, "/week/monday/0"),
        (
            {"monday": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]},
            "/week",
        ),
        ({"monday": [{"start": "8:30", "end": "12:00"}]}, "/week/monday/0/start"),
        ({"monday": [{"start": "24:00", "end": "12:00"}]}, "/week/monday/0/start"),
        ({}, "/week"),
    ],
)
async def test_a_broken_week_is_refused_with_a_pointer(
    client: httpx.AsyncClient, actors: dict[Role, Actor], week: dict[str, Any], pointer: str
) -> None:
    headers = {**actors[Role.admin].headers, "If-Match": "*"}
    response = await client.put(CALENDAR, json=_calendar(week=week), headers=headers)
    assert response.status_code == 422
    assert pointer in _pointers(response)
    assert "Value error" not in response.text


async def test_due_times_follow_the_saved_calendar(
    client: httpx.AsyncClient, actors: dict[Role, Actor], session: AsyncSession
) -> None:
    monday = datetime(2026, 11, 30, 16, 0, tzinfo=BANGKOK)
    rules = await read_rules(session, now=monday)
    first, _ = rules.budgets(Urgency.normal)
    assert due_at(monday, first, rules.calendar) == datetime(2026, 12, 1, 16, 0, tzinfo=BANGKOK)

    body = _calendar(closed_days=["2026-12-01"])
    headers = {**actors[Role.admin].headers, "If-Match": "*"}
    assert (await client.put(CALENDAR, json=body, headers=headers)).status_code == 200

    rules = await read_rules(session, now=monday)
    first, _ = rules.budgets(Urgency.normal)
    assert due_at(monday, first, rules.calendar) == datetime(2026, 12, 2, 16, 0, tzinfo=BANGKOK)
    critical_first, _ = rules.budgets(Urgency.critical)
    assert due_at(monday, critical_first, rules.calendar) == monday + timedelta(hours=1)


async def test_two_admins_saving_the_same_version_at_once_leave_one_change(
    committed_client: httpx.AsyncClient, committed_db: AsyncEngine, settings: Settings
) -> None:
    first = await committed_actor(committed_db, settings, Role.admin)
    second = await committed_actor(committed_db, settings, Role.admin)
    bodies = [_calendar(closed_days=["2026-12-28"]), _calendar(closed_days=["2026-12-29"])]
    answers = await asyncio.gather(
        *(
            committed_client.put(CALENDAR, json=body, headers={**actor.headers, "If-Match": '"0"'})
            for actor, body in zip((first, second), bodies, strict=True)
        )
    )
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    now = await committed_client.get(CALENDAR, headers=first.headers)
    assert now.headers["ETag"] == '"1"'
    winner = next(answer for answer in answers if answer.status_code == 200)
    assert now.json()["closed_days"] == winner.json()["closed_days"]
    assert [date.fromisoformat(day) for day in now.json()["closed_days"]] in (
        [date(2026, 12, 28)],
        [date(2026, 12, 29)],
    )
