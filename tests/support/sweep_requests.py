"""Valid requests for every operation of the API, for the input sweep
(`tests/routers/test_input_sweep.py`): a body the operation accepts, ids of objects that exist
and the caller may act on, a current `If-Match`, an authorised caller."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.enums import Role
from service.platform.pagination import encode_cursor, encode_time_id_cursor
from service.thai.dates import BANGKOK
from tests.conftest import TEST_PASSWORD, Actor, MakeActor
from tests.support.cases import CASES, VALID_THAI_ID, intake_body
from tests.support.sweep import ValidRequest

USERS = "/api/v1/users"


@dataclass
class World:
    """The objects valid requests name, made once per test in its rolled-back transaction."""

    client: httpx.AsyncClient
    make_actor: MakeActor
    session: AsyncSession
    actors: dict[Role, Actor] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    async def actor(self, role: Role) -> Actor:
        if role not in self.actors:
            self.actors[role] = await self.make_actor(role)
        return self.actors[role]

    async def headers(self, role: Role, **extra: str) -> dict[str, str]:
        return {**(await self.actor(role)).headers, "Accept-Language": "th", **extra}

    async def cases(self) -> dict[str, Any]:
        """An original case and a newer one about the same person (a possible duplicate)."""
        if "cases" not in self.cache:
            headers = await self.headers(Role.caseworker)
            first = await self._submit(headers, intake_body())
            second = await self._submit(headers, intake_body(summary="อีกครั้ง: คนเดิม"))
            link = second["possible_duplicates"][0]["id"]
            for text in ("บันทึกแรก", "บันทึกที่สอง"):
                note = await self.client.post(
                    f"{CASES}/{first['id']}/notes", json={"body": text}, headers=headers
                )
                assert note.status_code == 201, note.text
            self.cache["cases"] = {"first": first, "second": second, "link": link}
        return dict(self.cache["cases"])

    async def _submit(self, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(CASES, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def etag(self, case_id: str) -> str:
        headers = await self.headers(Role.caseworker)
        response = await self.client.get(f"{CASES}/{case_id}", headers=headers)
        assert response.status_code == 200, response.text
        return response.headers["etag"]


Recipe = Callable[[World], Awaitable[ValidRequest]]
RECIPES: dict[str, Recipe] = {}


def recipe(key: str) -> Callable[[Recipe], Recipe]:
    def register(function: Recipe) -> Recipe:
        RECIPES[key] = function
        return function

    return register


# --------------------------------------------------------------------------- valid requests


@recipe("GET /healthz")
async def _healthz(world: World) -> ValidRequest:
    return ValidRequest("GET", "/healthz")


@recipe("GET /readyz")
async def _readyz(world: World) -> ValidRequest:
    return ValidRequest("GET", "/readyz")


@recipe("GET /metrics")
async def _metrics(world: World) -> ValidRequest:
    return ValidRequest("GET", "/metrics")


@recipe("POST /api/v1/auth/token")
async def _sign_in(world: World) -> ValidRequest:
    volunteer = await world.actor(Role.volunteer)
    form = {
        "username": volunteer.user.username,
        "password": TEST_PASSWORD,
        "grant_type": "password",
    }
    return ValidRequest("POST", "/api/v1/auth/token", headers={"Accept-Language": "th"}, form=form)


@recipe("POST /api/v1/auth/refresh")
async def _refresh(world: World) -> ValidRequest:
    form = (await _sign_in(world)).form
    signed_in = await world.client.post("/api/v1/auth/token", data=form)
    assert signed_in.status_code == 200, signed_in.text
    body = {"refresh_token": signed_in.json()["refresh_token"]}
    return ValidRequest(
        "POST", "/api/v1/auth/refresh", headers={"Accept-Language": "th"}, json=body
    )


@recipe("POST /api/v1/auth/logout")
async def _logout(world: World) -> ValidRequest:
    return ValidRequest("POST", "/api/v1/auth/logout", headers=await world.headers(Role.volunteer))


@recipe("POST /api/v1/auth/logout-all")
async def _logout_all(world: World) -> ValidRequest:
    headers = await world.headers(Role.volunteer)
    return ValidRequest("POST", "/api/v1/auth/logout-all", headers=headers)


@recipe("GET /api/v1/users/me")
async def _me(world: World) -> ValidRequest:
    return ValidRequest("GET", f"{USERS}/me", headers=await world.headers(Role.volunteer))


@recipe("POST /api/v1/users")
async def _create_user(world: World) -> ValidRequest:
    body = {
        "username": "sweep.new-user",
        "display_name": "ผู้ใช้ใหม่ New User",
        "role": "volunteer",
        "password": "a long enough password",
    }
    return ValidRequest("POST", USERS, headers=await world.headers(Role.admin), json=body)


@recipe("GET /api/v1/users")
async def _list_users(world: World) -> ValidRequest:
    await world.actor(Role.volunteer)
    query = {"limit": 1, "cursor": encode_cursor(["aaa"]), "role": "volunteer", "active": "true"}
    return ValidRequest("GET", USERS, query=query, headers=await world.headers(Role.admin))


@recipe("GET /api/v1/staff")
async def _list_staff(world: World) -> ValidRequest:
    await world.actor(Role.volunteer)
    query = {
        "limit": 1,
        "cursor": encode_cursor(["A", "00000000-0000-0000-0000-000000000000"]),
        "role": "volunteer",
        "name": "T",
    }
    return ValidRequest(
        "GET", "/api/v1/staff", query=query, headers=await world.headers(Role.caseworker)
    )


async def _user_target(world: World) -> dict[str, str]:
    return {"user_id": str((await world.actor(Role.volunteer)).user.id)}


@recipe("PATCH /api/v1/users/{user_id}")
async def _update_user(world: World) -> ValidRequest:
    body = {"display_name": "ชื่อใหม่", "role": "caseworker", "is_active": True}
    return ValidRequest(
        "PATCH",
        USERS + "/{user_id}",
        path_params=await _user_target(world),
        headers=await world.headers(Role.admin),
        json=body,
    )


@recipe("POST /api/v1/users/{user_id}/deactivate")
async def _deactivate_user(world: World) -> ValidRequest:
    return ValidRequest(
        "POST",
        USERS + "/{user_id}/deactivate",
        path_params=await _user_target(world),
        headers=await world.headers(Role.admin),
    )


@recipe("POST /api/v1/users/{user_id}/password")
async def _reset_password(world: World) -> ValidRequest:
    return ValidRequest(
        "POST",
        USERS + "/{user_id}/password",
        path_params=await _user_target(world),
        headers=await world.headers(Role.admin),
        json={"password": "another long password"},
    )


def _full_intake() -> dict[str, Any]:
    recorded = (utcnow() - timedelta(hours=2)).astimezone(BANGKOK).isoformat()
    body = intake_body(
        recorded_at=recorded,
        client_reference=str(uuid.uuid4()),
        client={"nickname": "ศรี", "nationality": "ไทย", "disability": True, "pregnant": False},
        location={"lat": 13.7563, "lon": 100.5018},
        consent={"basis": "consent", "recorded_by": "สมชาย", "guardian_name": "สมหญิง"},
    )
    body["client"]["id_number"] = VALID_THAI_ID
    return body


@recipe("POST /api/v1/cases")
async def _intake(world: World) -> ValidRequest:
    headers = await world.headers(Role.volunteer, **{"Idempotency-Key": str(uuid.uuid4())})
    return ValidRequest("POST", CASES, headers=headers, json=_full_intake())


@recipe("GET /api/v1/cases")
async def _list_cases(world: World) -> ValidRequest:
    cases = await world.cases()
    since = (utcnow() - timedelta(days=1)).astimezone(BANGKOK)
    query = {
        "limit": 1,
        "cursor": encode_time_id_cursor(utcnow(), uuid.UUID(cases["second"]["id"])),
        "status": ["new", "screened"],
        "urgency": "high",
        "category": "older_person",
        "province": "10",
        "district": "1001",
        "lead": "none",
        "reporter": "me",
        "created_from": since.isoformat(),
        "created_to": (since + timedelta(days=2)).isoformat(),
        "q": "สมศรี",
    }
    return ValidRequest("GET", CASES, query=query, headers=await world.headers(Role.caseworker))


async def _case_request(
    world: World, method: str, suffix: str = "", *, if_match: bool = False, **parts: Any
) -> ValidRequest:
    cases = await world.cases()
    extra = {"If-Match": await world.etag(cases["first"]["id"])} if if_match else {}
    return ValidRequest(
        method,
        CASES + "/{case_id}" + suffix,
        path_params={"case_id": cases["first"]["id"]},
        headers=await world.headers(Role.caseworker, **extra),
        **parts,
    )


@recipe("GET /api/v1/cases/{case_id}")
async def _read_case(world: World) -> ValidRequest:
    return await _case_request(world, "GET")


@recipe("PATCH /api/v1/cases/{case_id}")
async def _update_case(world: World) -> ValidRequest:
    intake = _full_intake()
    body = {
        "summary": "สรุปใหม่",
        "client": {**intake["client"], "birth_year": None, "birth_date": "2490-05-01"},
        "location": intake["location"],
        "consent": {k: v for k, v in intake["consent"].items() if k != "basis"},
    }
    return await _case_request(world, "PATCH", if_match=True, json=body)


@recipe("POST /api/v1/cases/{case_id}/transitions")
async def _transition(world: World) -> ValidRequest:
    body = {
        "to": "screened",
        "urgency": "high",
        "categories": ["older_person", "income_livelihood"],
        "basis": "consent",
    }
    return await _case_request(world, "POST", "/transitions", if_match=True, json=body)


@recipe("GET /api/v1/cases/{case_id}/timeline")
async def _timeline(world: World) -> ValidRequest:
    query = {"limit": 1, "cursor": encode_cursor([1])}
    return await _case_request(world, "GET", "/timeline", query=query)


@recipe("POST /api/v1/cases/{case_id}/notes")
async def _add_note(world: World) -> ValidRequest:
    return await _case_request(world, "POST", "/notes", json={"body": "โทรหาแล้ว ไม่มีคนรับ"})


@recipe("GET /api/v1/cases/{case_id}/notes")
async def _list_notes(world: World) -> ValidRequest:
    query = {
        "limit": 1,
        "cursor": encode_time_id_cursor(utcnow() - timedelta(days=1), uuid.uuid4()),
    }
    return await _case_request(world, "GET", "/notes", query=query)


@recipe("GET /api/v1/cases/{case_id}/duplicates")
async def _list_duplicates(world: World) -> ValidRequest:
    query = {
        "limit": 1,
        "cursor": encode_time_id_cursor(utcnow() + timedelta(days=1), uuid.uuid4()),
    }
    return await _case_request(world, "GET", "/duplicates", query=query)


async def _duplicate_request(world: World, decision: str, *, if_match: bool) -> ValidRequest:
    cases = await world.cases()
    newer = cases["second"]["id"]
    extra = {"If-Match": await world.etag(newer)} if if_match else {}
    return ValidRequest(
        "POST",
        CASES + "/{case_id}/duplicates/{link_id}/" + decision,
        path_params={"case_id": newer, "link_id": cases["link"]},
        headers=await world.headers(Role.caseworker, **extra),
    )


@recipe("POST /api/v1/cases/{case_id}/duplicates/{link_id}/confirm")
async def _confirm_duplicate(world: World) -> ValidRequest:
    return await _duplicate_request(world, "confirm", if_match=True)


@recipe("POST /api/v1/cases/{case_id}/duplicates/{link_id}/dismiss")
async def _dismiss_duplicate(world: World) -> ValidRequest:
    return await _duplicate_request(world, "dismiss", if_match=False)


def _meta_recipe(key: str, path_params: dict[str, str] | None = None) -> None:
    async def make(world: World) -> ValidRequest:
        headers = await world.headers(Role.volunteer, **{"Accept-Language": "en"})
        path = key.split(" ", 1)[1]
        return ValidRequest("GET", path, path_params=path_params or {}, headers=headers)

    RECIPES[key] = make


for _name in (
    "categories",
    "urgencies",
    "statuses",
    "closure-reasons",
    "channels",
    "id-types",
    "genders",
    "reporter-relationships",
    "legal-bases",
    "consent-statuses",
    "target-groups",
    "countries",
    "provinces",
):
    _meta_recipe(f"GET /api/v1/meta/{_name}")
_meta_recipe("GET /api/v1/meta/provinces/{code}/districts", {"code": "10"})
_meta_recipe("GET /api/v1/meta/districts/{code}/subdistricts", {"code": "1001"})


# The other capabilities' operations register theirs in RECIPES too.
from tests.support import (  # noqa: E402, F401
    sweep_consent,
    sweep_deadline_queues,
    sweep_directory,
    sweep_policies,
    sweep_privacy,
    sweep_queues,
    sweep_referrals,
    sweep_routing,
    sweep_stats,
    sweep_stream,
    sweep_webhooks,
)
