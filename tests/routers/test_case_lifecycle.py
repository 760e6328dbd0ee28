"""The case lifecycle over the API: transitions, versions, updates, timeline, notes, races."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col

from models.access_log import CaseRead
from models.case import Case
from models.enums import Role
from models.events import CaseEvent
from service.cases.access_log import verify_reads
from service.platform.crypto import audit_key
from service.platform.db import create_sessionmaker
from service.platform.settings import Settings
from tests.conftest import Actor, MakeActor, access_headers, create_user
from tests.support.cases import CASES, anonymous_body, create_case

PROBLEM = "application/problem+json"


# --------------------------------------------------------------------------- helpers


def _url(case_id: str, tail: str = "") -> str:
    return f"{CASES}/{case_id}{tail}"


async def _read(client: httpx.AsyncClient, actor: Actor, case_id: str) -> httpx.Response:
    response = await client.get(_url(case_id), headers=actor.headers)
    assert response.status_code == 200, response.text
    return response


async def _tag(client: httpx.AsyncClient, actor: Actor, case_id: str) -> str:
    return (await _read(client, actor, case_id)).headers["etag"]


async def _step(
    client: httpx.AsyncClient,
    actor: Actor,
    case_id: str,
    to: str,
    *,
    tag: str | None = None,
    **fields: Any,
) -> httpx.Response:
    """A transition with the case's current ETag (read first unless given)."""
    tag = tag or await _tag(client, actor, case_id)
    return await client.post(
        _url(case_id, "/transitions"),
        json={"to": to, **fields},
        headers={**actor.headers, "If-Match": tag},
    )


async def _ok_step(
    client: httpx.AsyncClient, actor: Actor, case_id: str, to: str, **fields: Any
) -> dict[str, Any]:
    response = await _step(client, actor, case_id, to, **fields)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == to
    assert response.headers["etag"] == f'"{body["version"]}"'
    return body


async def _timeline(client: httpx.AsyncClient, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    response = await client.get(_url(case_id, "/timeline?limit=200"), headers=actor.headers)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return list(response.json()["items"])


async def _types(client: httpx.AsyncClient, actor: Actor, case_id: str) -> list[str]:
    return [event["type"] for event in await _timeline(client, actor, case_id)]


async def _make_lead(session: AsyncSession, case_id: str, user_id: uuid.UUID) -> None:
    """Hand the case to a lead directly (routing offers are tested elsewhere)."""
    await session.execute(
        sa.update(Case).where(col(Case.id) == uuid.UUID(case_id)).values(lead_id=user_id)
    )
    await session.commit()


def _pointers(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    return [error["pointer"] for error in response.json()["errors"]]


async def _in_progress(
    client: httpx.AsyncClient, actors: dict[Role, Actor], body: dict[str, Any] | None = None
) -> str:
    """A case reported by the volunteer, screened and taken on by the caseworker."""
    case = await create_case(client, actors[Role.volunteer].headers, body)
    await _ok_step(client, actors[Role.caseworker], case["id"], "screened")
    await _ok_step(client, actors[Role.caseworker], case["id"], "in_progress")
    return str(case["id"])


def _critical_body() -> dict[str, Any]:
    body = anonymous_body()
    body["immediate_danger"] = True
    return body


# --------------------------------------------------------------------------- the full path


async def test_full_lifecycle_from_intake_to_reopening(client, actors) -> None:
    volunteer, caseworker = actors[Role.volunteer], actors[Role.caseworker]
    supervisor = actors[Role.supervisor]
    case = await create_case(client, volunteer.headers)
    case_id = case["id"]
    assert (case["status"], case["urgency"], case["lead"]) == ("new", "high", None)

    screened = await _ok_step(
        client,
        caseworker,
        case_id,
        "screened",
        urgency="normal",
        categories=["older_person", "housing", "older_person"],
        basis="vital_interest",
    )
    assert screened["urgency"] == "normal"
    assert screened["categories"] == ["older_person", "housing"]
    assert screened["consent"]["basis"] == "vital_interest"
    assert screened["screened_by"] == str(caseworker.user.id)
    assert screened["screened_at"] is not None
    assert screened["lead"] is None
    screening = (await _timeline(client, caseworker, case_id))[-1]
    assert screening["type"] == "screened"
    assert screening["actor"] == str(caseworker.user.id)
    assert screening["changes"]["status"] == ["new", "screened"]
    assert screening["changes"]["urgency"] == ["high", "normal"]
    assert screening["changes"]["categories"] == [
        ["older_person", "income_livelihood"],
        ["older_person", "housing"],
    ]
    assert screening["changes"]["legal_basis"] == ["consent", "vital_interest"]
    assert screening["changes"]["screened_by_id"] == [None, str(caseworker.user.id)]
    listed = await client.get(CASES, params={"category": "housing"}, headers=caseworker.headers)
    assert case_id in [item["id"] for item in listed.json()["items"]]

    working = await _ok_step(client, caseworker, case_id, "in_progress")
    assert working["lead"] == str(caseworker.user.id)
    moved = (await _timeline(client, caseworker, case_id))[-1]
    assert moved["type"] == "status_changed"
    assert moved["changes"] == {
        "status": ["screened", "in_progress"],
        "lead_id": [None, str(caseworker.user.id)],
    }

    await _ok_step(client, caseworker, case_id, "awaiting_client")
    await _ok_step(client, caseworker, case_id, "in_progress")
    resolved = await _ok_step(client, caseworker, case_id, "resolved")
    assert resolved["resolved_at"] is not None
    closed = await _ok_step(client, caseworker, case_id, "closed", closure_reason="resolved")
    assert closed["closure_reason"] == "resolved"
    assert closed["closed_at"] is not None

    reopened = await _ok_step(client, supervisor, case_id, "in_progress", reason="ครอบครัวติดต่อกลับมา")
    assert (reopened["closure_reason"], reopened["closed_at"], reopened["resolved_at"]) == (
        None,
        None,
        None,
    )
    assert reopened["lead"] == str(caseworker.user.id)
    assert reopened["version"] == 8
    last = (await _timeline(client, supervisor, case_id))[-1]
    assert last["data"] == {"reason": "ครอบครัวติดต่อกลับมา"}
    assert last["changes"]["status"] == ["closed", "in_progress"]
    assert last["changes"]["closure_reason"] == ["resolved", None]

    moves = [
        e["changes"]["status"]
        for e in await _timeline(client, supervisor, case_id)
        if e["type"] in ("screened", "status_changed")
    ]
    assert moves == [
        ["new", "screened"],
        ["screened", "in_progress"],
        ["in_progress", "awaiting_client"],
        ["awaiting_client", "in_progress"],
        ["in_progress", "resolved"],
        ["resolved", "closed"],
        ["closed", "in_progress"],
    ]


async def test_taking_on_a_case_keeps_an_existing_lead(client, actors, session) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    await _ok_step(client, actors[Role.caseworker], case["id"], "screened")
    await _make_lead(session, case["id"], actors[Role.volunteer].user.id)
    working = await _ok_step(client, actors[Role.supervisor], case["id"], "in_progress")
    assert working["lead"] == str(actors[Role.volunteer].user.id)


# --------------------------------------------------------------------------- refusals


async def test_impossible_move_is_409_with_the_allowed_statuses(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    response = await _step(client, actors[Role.supervisor], case["id"], "resolved")
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"].endswith("/invalid-transition")
    assert problem["allowed"] == ["screened", "closed"]
    same = await _step(client, actors[Role.supervisor], case["id"], "new")
    assert (same.status_code, same.json()["allowed"]) == (409, ["screened", "closed"])


async def test_system_moves_are_409_from_the_api(client, actors) -> None:
    case_id = await _in_progress(client, actors)
    response = await _step(client, actors[Role.supervisor], case_id, "referred")
    assert response.status_code == 409
    assert response.json()["allowed"] == ["awaiting_client", "resolved"]


async def test_refused_moves_change_nothing(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    before = await _types(client, actors[Role.caseworker], case["id"])
    assert (await _step(client, actors[Role.caseworker], case["id"], "resolved")).status_code == 409
    after = await _read(client, actors[Role.caseworker], case["id"])
    assert (after.json()["status"], after.json()["version"]) == ("new", 1)
    # Reads are recorded in the access log, not the case's history.
    assert await _types(client, actors[Role.caseworker], case["id"]) == before


async def test_volunteer_may_not_screen(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    response = await _step(client, actors[Role.volunteer], case["id"], "screened", urgency="low")
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM


async def test_volunteer_who_only_reported_may_not_move_the_case(client, actors) -> None:
    volunteer = actors[Role.volunteer]
    case_id = await _in_progress(client, actors)
    for to, fields in (
        ("awaiting_client", {}),
        ("resolved", {}),
        ("closed", {"closure_reason": "resolved"}),
    ):
        response = await _step(client, volunteer, case_id, to, **fields)
        assert response.status_code == 403, to


async def test_volunteer_lead_works_the_case_but_may_not_close_it(client, actors, session) -> None:
    volunteer = actors[Role.volunteer]
    case_id = await _in_progress(client, actors)
    await _make_lead(session, case_id, volunteer.user.id)
    await _ok_step(client, volunteer, case_id, "awaiting_client")
    await _ok_step(client, volunteer, case_id, "in_progress")
    await _ok_step(client, volunteer, case_id, "resolved")
    response = await _step(client, volunteer, case_id, "closed", closure_reason="resolved")
    assert response.status_code == 403
    await _ok_step(client, volunteer, case_id, "in_progress")
    await _ok_step(client, volunteer, case_id, "resolved")
    await _ok_step(client, actors[Role.caseworker], case_id, "closed", closure_reason="resolved")
    reopen = await _step(client, volunteer, case_id, "in_progress", reason="back again")
    assert reopen.status_code == 403


async def test_agency_and_admin_may_not_move_cases(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    for role in (Role.agency, Role.admin):
        response = await client.post(
            _url(case["id"], "/transitions"),
            json={"to": "screened"},
            headers={**actors[role].headers, "If-Match": '"1"'},
        )
        assert response.status_code == 403, role


async def test_someone_elses_case_is_404(client, actors, make_actor: MakeActor) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    stranger = await make_actor(Role.volunteer)
    response = await client.post(
        _url(case["id"], "/transitions"),
        json={"to": "screened"},
        headers={**stranger.headers, "If-Match": '"1"'},
    )
    assert response.status_code == 404
    missing = await _step(client, actors[Role.caseworker], str(uuid.uuid4()), "screened", tag='"1"')
    assert missing.status_code == 404


async def test_closing_needs_a_closure_reason(client, actors) -> None:
    case_id = await _in_progress(client, actors)
    await _ok_step(client, actors[Role.caseworker], case_id, "resolved")
    assert _pointers(await _step(client, actors[Role.caseworker], case_id, "closed")) == [
        "/closure_reason"
    ]
    unknown = await _step(client, actors[Role.caseworker], case_id, "closed", closure_reason="x")
    assert _pointers(unknown) == ["/closure_reason"]


async def test_early_closure_is_only_duplicate_or_out_of_scope(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    early = await _step(
        client, actors[Role.caseworker], case["id"], "closed", closure_reason="resolved"
    )
    assert _pointers(early) == ["/closure_reason"]
    closed = await _ok_step(
        client, actors[Role.caseworker], case["id"], "closed", closure_reason="out_of_scope"
    )
    assert closed["closure_reason"] == "out_of_scope"


async def test_a_duplicate_names_another_visible_case(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    original = await create_case(client, actors[Role.volunteer].headers)
    case = await create_case(client, actors[Role.volunteer].headers)
    missing = await _step(client, caseworker, case["id"], "closed", closure_reason="duplicate")
    assert _pointers(missing) == ["/duplicate_of"]
    for wrong in (str(uuid.uuid4()), case["id"]):
        response = await _step(
            client, caseworker, case["id"], "closed", closure_reason="duplicate", duplicate_of=wrong
        )
        assert _pointers(response) == ["/duplicate_of"]
    closed = await _ok_step(
        client,
        caseworker,
        case["id"],
        "closed",
        closure_reason="duplicate",
        duplicate_of=original["id"],
    )
    assert closed["duplicate_of"] == original["id"]


async def test_reopening_needs_a_supervisor_and_a_reason(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    await _ok_step(
        client, actors[Role.caseworker], case["id"], "closed", closure_reason="out_of_scope"
    )
    refused = await _step(client, actors[Role.caseworker], case["id"], "in_progress", reason="x")
    assert refused.status_code == 403
    assert _pointers(await _step(client, actors[Role.supervisor], case["id"], "in_progress")) == [
        "/reason"
    ]
    empty = await _step(client, actors[Role.supervisor], case["id"], "in_progress", reason="")
    assert _pointers(empty) == ["/reason"]
    await _ok_step(client, actors[Role.supervisor], case["id"], "in_progress", reason="mistake")


async def test_closure_fields_only_when_closing(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    with_reason = await _step(
        client, actors[Role.caseworker], case["id"], "screened", closure_reason="resolved"
    )
    assert _pointers(with_reason) == ["/closure_reason"]
    with_original = await _step(
        client, actors[Role.caseworker], case["id"], "screened", duplicate_of=str(uuid.uuid4())
    )
    assert _pointers(with_original) == ["/duplicate_of"]


async def test_screening_fields_only_when_screening(client, actors) -> None:
    case_id = await _in_progress(client, actors)
    response = await _step(client, actors[Role.caseworker], case_id, "resolved", urgency="low")
    assert _pointers(response) == ["/to"]


async def test_consent_is_no_basis_without_consent(client, actors) -> None:
    body = anonymous_body()
    body["consent"] = {"data_collection": "not_possible"}
    case = await create_case(client, actors[Role.volunteer].headers, body)
    refused = await _step(client, actors[Role.caseworker], case["id"], "screened", basis="consent")
    assert _pointers(refused) == ["/basis"]
    unknown = await _step(client, actors[Role.caseworker], case["id"], "screened", basis="whim")
    assert _pointers(unknown) == ["/basis"]
    screened = await _ok_step(
        client, actors[Role.caseworker], case["id"], "screened", basis="vital_interest"
    )
    assert screened["consent"]["basis"] == "vital_interest"


async def test_only_a_supervisor_closes_a_critical_case(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers, _critical_body())
    assert case["urgency"] == "critical"
    refused = await _step(
        client, actors[Role.caseworker], case["id"], "closed", closure_reason="out_of_scope"
    )
    assert refused.status_code == 403
    closed = await _ok_step(
        client, actors[Role.supervisor], case["id"], "closed", closure_reason="out_of_scope"
    )
    assert closed["closure_reason"] == "out_of_scope"


# --------------------------------------------------------------------------- versions


async def test_get_returns_a_strong_etag_of_the_version(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    response = await _read(client, actors[Role.caseworker], case["id"])
    assert response.headers["etag"] == '"1"' == f'"{response.json()["version"]}"'
    assert not response.headers["etag"].startswith("W/")
    assert response.headers["cache-control"] == "no-store"


async def test_patch_needs_the_current_etag(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    url, change = _url(case["id"]), {"summary": "ยายอยู่คนเดียว ต้องการอาหาร"}

    missing = await client.patch(url, json=change, headers=caseworker.headers)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    assert missing.json()["errors"][0]["header"] == "If-Match"

    stale = await client.patch(url, json=change, headers={**caseworker.headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == '"1"'
    weak = await client.patch(url, json=change, headers={**caseworker.headers, "If-Match": "1"})
    assert weak.status_code == 412

    done = await client.patch(url, json=change, headers={**caseworker.headers, "If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert (done.json()["version"], done.headers["etag"]) == (2, '"2"')
    assert done.json()["summary"] == change["summary"]

    again = await client.patch(url, json=change, headers={**caseworker.headers, "If-Match": '"1"'})
    assert (again.status_code, again.json()["current_etag"]) == (412, '"2"')
    assert (await _read(client, caseworker, case["id"])).json()["version"] == 2


async def test_transitions_need_the_current_etag(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    url = _url(case["id"], "/transitions")
    missing = await client.post(url, json={"to": "screened"}, headers=caseworker.headers)
    assert missing.status_code == 428
    stale = await client.post(
        url, json={"to": "screened"}, headers={**caseworker.headers, "If-Match": '"0"'}
    )
    assert (stale.status_code, stale.json()["current_etag"]) == (412, '"1"')
    done = await client.post(
        url, json={"to": "screened"}, headers={**caseworker.headers, "If-Match": '"1"'}
    )
    assert (done.status_code, done.json()["version"], done.headers["etag"]) == (200, 2, '"2"')
    replay = await client.post(
        url, json={"to": "in_progress"}, headers={**caseworker.headers, "If-Match": '"1"'}
    )
    assert (replay.status_code, replay.json()["current_etag"]) == (412, '"2"')
    assert (await _read(client, caseworker, case["id"])).json()["status"] == "screened"


async def test_patch_on_a_closed_case_is_409(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    closed = await _ok_step(client, caseworker, case["id"], "closed", closure_reason="out_of_scope")
    response = await client.patch(
        _url(case["id"]),
        json={"summary": "late change"},
        headers={**caseworker.headers, "If-Match": f'"{closed["version"]}"'},
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM


async def test_patch_rights(client, actors, session, make_actor: MakeActor) -> None:
    volunteer = actors[Role.volunteer]
    case = await create_case(client, volunteer.headers)
    change = {"summary": "ข้อมูลเพิ่มเติม"}
    reporter_only = await client.patch(
        _url(case["id"]), json=change, headers={**volunteer.headers, "If-Match": '"1"'}
    )
    assert reporter_only.status_code == 403
    stranger = await make_actor(Role.volunteer)
    hidden = await client.patch(
        _url(case["id"]), json=change, headers={**stranger.headers, "If-Match": '"1"'}
    )
    assert hidden.status_code == 404
    await _make_lead(session, case["id"], volunteer.user.id)
    lead = await client.patch(
        _url(case["id"]), json=change, headers={**volunteer.headers, "If-Match": '"1"'}
    )
    assert lead.status_code == 200, lead.text


# --------------------------------------------------------------------------- updates


async def test_patch_revalidates_personal_fields(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    headers = {**caseworker.headers, "If-Match": '"1"'}
    events_before = len(await _timeline(client, caseworker, case["id"]))
    bad = await client.patch(
        _url(case["id"]),
        json={
            "client": {"phone": "12345", "birth_date": "2999-01-01"},
            "location": {"district_code": "1002"},
        },
        headers=headers,
    )
    # What was sent is checked first; the district against the codes the case keeps once
    # the request passes that (the stored values are read by the service).
    assert sorted(_pointers(bad)) == ["/client/birth_date", "/client/phone"]
    assert "12345" not in bad.text
    moved = await client.patch(
        _url(case["id"]), json={"location": {"district_code": "1002"}}, headers=headers
    )
    assert sorted(_pointers(moved)) == ["/location/postal_code", "/location/subdistrict_code"]
    unknown = await client.patch(
        _url(case["id"]), json={"location": {"province_code": "99"}}, headers=headers
    )
    assert "/location/province_code" in _pointers(unknown)
    cleared = await client.patch(
        _url(case["id"]), json={"location": {"province_code": None}}, headers=headers
    )
    assert "/location/province_code" in _pointers(cleared)
    extra = await client.patch(_url(case["id"]), json={"status": "closed"}, headers=headers)
    assert _pointers(extra) == ["/status"]
    assert len(await _timeline(client, caseworker, case["id"])) == events_before
    after = await _read(client, caseworker, case["id"])
    assert after.json()["version"] == 1
    assert after.json()["location"]["district_code"] == "1001"


async def test_update_event_withholds_personal_values(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    response = await client.patch(
        _url(case["id"]),
        json={
            "client": {"first_name": "มาลี", "phone": "02 123 4567", "id_type": "none"},
            "location": {"district_code": "1002", "subdistrict_code": None, "postal_code": None},
            "consent": {"share_with_agencies": False},
        },
        headers={**caseworker.headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["client"]["first_name"] == "มาลี"
    assert body["client"]["phone"] == "+6621234567"
    assert body["location"]["district_code"] == "1002"

    event = (await _timeline(client, caseworker, case["id"]))[-1]
    assert event["type"] == "updated"
    assert event["actor"] == str(caseworker.user.id)
    assert event["changes"] == {
        "client_first_name": {"changed": True},
        "client_phone": {"changed": True},
        "client_id_type": ["unknown", "none"],
        # Below the province an area code locates a person: named, its values withheld.
        "district_code": {"changed": True},
        "subdistrict_code": {"changed": True},
        "postal_code": {"changed": True},
        "consent_share_with_agencies": [True, False],
    }
    text = json.dumps(event, ensure_ascii=False)
    for value in ("มาลี", "4567", case["client"]["first_name"]):
        assert value not in text


async def test_a_patch_that_changes_nothing_records_nothing(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    before = await _types(client, caseworker, case["id"])
    response = await client.patch(
        _url(case["id"]),
        json={"summary": case["summary"], "location": {"province_code": "10"}},
        headers={**caseworker.headers, "If-Match": '"1"'},
    )
    assert (response.status_code, response.json()["version"]) == (200, 1)
    assert await _types(client, caseworker, case["id"]) == before


async def test_every_change_appends_one_event_and_a_read_none(client, actors, session) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    case_id = case["id"]
    assert await _types(client, caseworker, case_id) == ["created"]
    tag = await _tag(client, caseworker, case_id)
    patched = await client.patch(
        _url(case_id), json={"summary": "อัปเดต"}, headers={**caseworker.headers, "If-Match": tag}
    )
    assert patched.status_code == 200
    screened = await _step(client, caseworker, case_id, "screened", tag=patched.headers["etag"])
    assert screened.status_code == 200
    note = await client.post(
        _url(case_id, "/notes"), json={"body": "โทรหาแล้ว"}, headers=caseworker.headers
    )
    assert note.status_code == 201
    await _read(client, actors[Role.supervisor], case_id)
    await _read(client, actors[Role.volunteer], case_id)
    timeline = await _timeline(client, caseworker, case_id)
    assert [e["type"] for e in timeline] == ["created", "updated", "screened", "note_added"]
    assert [e["seq"] for e in timeline] == list(range(1, 5))
    details = (
        await session.execute(
            sa.select(col(CaseRead.reader_id))
            .where(col(CaseRead.case_id) == uuid.UUID(case_id), col(CaseRead.what) == "detail")
            .order_by(col(CaseRead.at))
        )
    ).scalars()
    assert list(details) == [
        caseworker.user.id,
        actors[Role.supervisor].user.id,
        actors[Role.volunteer].user.id,
    ]


# --------------------------------------------------------------------------- timeline


async def test_timeline_pages_return_every_event_once_in_order(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    for body in ("หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก"):
        await client.post(
            _url(case["id"], "/notes"), json={"body": body}, headers=caseworker.headers
        )
    full = await _timeline(client, caseworker, case["id"])
    assert len(full) == 7

    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(
            _url(case["id"], "/timeline"), params=params, headers=caseworker.headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert seen == full
    assert [e["seq"] for e in seen] == list(range(1, 8))


async def test_timeline_rejects_bad_paging_and_hides_foreign_cases(
    client, actors, make_actor: MakeActor
) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    url = _url(case["id"], "/timeline")
    headers = actors[Role.caseworker].headers
    assert (await client.get(url, params={"limit": 0}, headers=headers)).status_code == 422
    assert (await client.get(url, params={"limit": 201}, headers=headers)).status_code == 422
    bad_cursor = await client.get(url, params={"cursor": "not-ours"}, headers=headers)
    assert bad_cursor.status_code == 422
    stranger = await make_actor(Role.volunteer)
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=actors[Role.volunteer].headers)).status_code == 200
    for role in (Role.agency, Role.admin):
        assert (await client.get(url, headers=actors[role].headers)).status_code == 403


# --------------------------------------------------------------------------- notes


async def test_notes_by_lead_and_staff(client, actors, session) -> None:
    volunteer, caseworker = actors[Role.volunteer], actors[Role.caseworker]
    case = await create_case(client, volunteer.headers)
    url = _url(case["id"], "/notes")

    refused = await client.post(url, json={"body": "ผู้รายงานเขียน"}, headers=volunteer.headers)
    assert refused.status_code == 403
    for role in (Role.agency, Role.admin):
        response = await client.post(url, json={"body": "x"}, headers=actors[role].headers)
        assert response.status_code == 403, role

    first = await client.post(url, json={"body": "เยี่ยมบ้านแล้ว"}, headers=caseworker.headers)
    assert first.status_code == 201, first.text
    assert first.json()["author"] == str(caseworker.user.id)
    await _make_lead(session, case["id"], volunteer.user.id)
    second = await client.post(url, json={"body": "นัดครั้งต่อไป"}, headers=volunteer.headers)
    assert second.status_code == 201, second.text
    third = await client.post(url, json={"body": "ส่งต่อ"}, headers=actors[Role.supervisor].headers)
    assert third.status_code == 201

    listed = await client.get(url, headers=volunteer.headers)
    assert listed.status_code == 200
    assert [n["body"] for n in listed.json()["items"]] == ["เยี่ยมบ้านแล้ว", "นัดครั้งต่อไป", "ส่งต่อ"]
    assert [n["id"] for n in listed.json()["items"]] == [
        first.json()["id"],
        second.json()["id"],
        third.json()["id"],
    ]
    paged = await client.get(url, params={"limit": 2}, headers=caseworker.headers)
    rest = await client.get(
        url, params={"limit": 2, "cursor": paged.json()["next_cursor"]}, headers=caseworker.headers
    )
    assert [n["id"] for n in paged.json()["items"] + rest.json()["items"]] == [
        n["id"] for n in listed.json()["items"]
    ]
    assert rest.json()["next_cursor"] is None

    events = [
        e for e in await _timeline(client, caseworker, case["id"]) if e["type"] == "note_added"
    ]
    assert [e["data"] for e in events] == [
        {"note_id": first.json()["id"]},
        {"note_id": second.json()["id"]},
        {"note_id": third.json()["id"]},
    ]
    assert "เยี่ยมบ้าน" not in json.dumps(events, ensure_ascii=False)


async def test_note_validation_and_visibility(client, actors, make_actor: MakeActor) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    url = _url(case["id"], "/notes")
    headers = actors[Role.caseworker].headers
    for body in ({"body": ""}, {"body": "   "}, {}, {"body": "x" * 4001}):
        assert _pointers(await client.post(url, json=body, headers=headers)) == ["/body"]
    extra = await client.post(url, json={"body": "x", "author": "me"}, headers=headers)
    assert _pointers(extra) == ["/author"]
    stranger = await make_actor(Role.volunteer)
    assert (await client.post(url, json={"body": "x"}, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=headers)).json()["items"] == []
    missing = await client.post(
        _url(str(uuid.uuid4()), "/notes"), json={"body": "x"}, headers=headers
    )
    assert missing.status_code == 404


# --------------------------------------------------------------------------- races


async def _committed_actor(engine: AsyncEngine, settings: Settings, role: Role) -> Actor:
    async with create_sessionmaker(engine)() as session:
        user = await create_user(session, role)
        headers = await access_headers(session, settings, user)
        await session.commit()
    return Actor(user, headers)


async def _stored_events(engine: AsyncEngine, case_id: str) -> tuple[Case, list[CaseEvent]]:
    async with create_sessionmaker(engine)() as session:
        case = await session.get(Case, uuid.UUID(case_id))
        assert case is not None
        events = (
            await session.execute(
                sa.select(CaseEvent)
                .where(col(CaseEvent.case_id) == case.id)
                .order_by(col(CaseEvent.seq))
            )
        ).scalars()
        return case, list(events)


async def test_two_simultaneous_patches_with_one_etag(
    committed_client, committed_db, settings
) -> None:
    caseworker = await _committed_actor(committed_db, settings, Role.caseworker)
    supervisor = await _committed_actor(committed_db, settings, Role.supervisor)
    case = await create_case(committed_client, caseworker.headers)
    answers = await asyncio.gather(
        *(
            committed_client.patch(
                _url(case["id"]),
                json={"summary": f"ฉบับที่ {n}"},
                headers={**actor.headers, "If-Match": '"1"'},
            )
            for n, actor in enumerate((caseworker, supervisor))
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200)
    loser = next(a for a in answers if a.status_code == 412)
    assert loser.json()["current_etag"] == '"2"' == winner.headers["etag"]
    stored, events = await _stored_events(committed_db, case["id"])
    assert stored.version == 2
    assert stored.summary == winner.json()["summary"]
    assert [e.type.value for e in events] == ["created", "updated"]


async def test_two_simultaneous_transitions_with_one_etag(
    committed_client, committed_db, settings
) -> None:
    caseworker = await _committed_actor(committed_db, settings, Role.caseworker)
    other = await _committed_actor(committed_db, settings, Role.caseworker)
    case = await create_case(committed_client, caseworker.headers)
    answers = await asyncio.gather(
        *(
            committed_client.post(
                _url(case["id"], "/transitions"),
                json={"to": "screened", "urgency": urgency},
                headers={**actor.headers, "If-Match": '"1"'},
            )
            for actor, urgency in ((caseworker, "low"), (other, "critical"))
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200)
    stored, events = await _stored_events(committed_db, case["id"])
    assert (stored.status.value, stored.version) == ("screened", 2)
    assert stored.urgency.value == winner.json()["urgency"]
    assert [e.type.value for e in events] == ["created", "screened"]


async def test_simultaneous_reads_each_leave_one_read_record(
    committed_client, committed_db, settings
) -> None:
    caseworker = await _committed_actor(committed_db, settings, Role.caseworker)
    case = await create_case(committed_client, caseworker.headers)
    answers = await asyncio.gather(
        *(committed_client.get(_url(case["id"]), headers=caseworker.headers) for _ in range(10))
    )
    assert [a.status_code for a in answers] == [200] * 10
    assert {a.headers["etag"] for a in answers} == {'"1"'}
    stored, events = await _stored_events(committed_db, case["id"])
    assert [e.type.value for e in events] == ["created"]
    assert stored.event_count == 1
    async with create_sessionmaker(committed_db)() as session:
        reads = list(
            (
                await session.execute(sa.select(CaseRead).where(col(CaseRead.case_id) == stored.id))
            ).scalars()
        )
    assert [(r.reader_id, r.what.value) for r in reads] == [(caseworker.user.id, "detail")] * 10
    assert verify_reads(audit_key(settings.data_key), reads) == []
