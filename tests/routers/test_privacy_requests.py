"""The data-subject request routes: recording and finding the person, the clock and the
filters, the export with what was shared with whom, refusing, completing, who may do what."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from tests.support.cases import (
    OTHER_THAI_ID,
    VALID_THAI_ID,
    anonymous_body,
    create_case,
    move,
)
from tests.support.referrals import make_agency, refer
from tests.support.sweep_privacy import PRIVACY_REQUESTS as REQUESTS


def _request(kind: str = "access", **subject: Any) -> dict[str, Any]:
    return {"kind": kind, "subject": subject or {"id_number": VALID_THAI_ID}}


async def _record(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(REQUESTS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def test_the_person_is_found_by_phone_or_by_name_and_birth_date(client, actors) -> None:
    caseworker = actors[Role.caseworker].headers
    supervisor = actors[Role.supervisor].headers
    body = anonymous_body(
        client={
            "first_name": "บุญมี",
            "last_name": "ศรีสุข",
            "birth_date": "1980-02-03",
            "phone": "0823334444",
        }
    )
    case = await create_case(client, caseworker, body)
    await create_case(client, caseworker)  # someone else
    by_phone = await _record(client, supervisor, _request(phone="+66 82 333 4444"))
    assert [c["id"] for c in by_phone["cases"]] == [case["id"]]
    assert by_phone["identified_by"] == ["phone"]
    by_name = await _record(
        client,
        supervisor,
        _request("rectification", first_name="บุญมี", last_name="ศรีสุข", birth_date="1980-02-03"),
    )
    assert [c["reference"] for c in by_name["cases"]] == [case["reference"]]
    assert by_name["identified_by"] == ["name_and_birth_date"]
    # Another birth date is another person.
    other = await _record(
        client, supervisor, _request(first_name="บุญมี", last_name="ศรีสุข", birth_date="1981-02-03")
    )
    assert other["cases"] == []


async def test_bad_identifiers_are_422_and_nothing_is_recorded(client, actors) -> None:
    headers = actors[Role.supervisor].headers
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "access", "subject": {}}, "/subject"),
        ({"kind": "access", "subject": {"first_name": "สมศรี"}}, "/subject"),
        ({"kind": "access", "subject": {"id_number": "1234567890123"}}, "/subject/id_number"),
        ({"kind": "access", "subject": {"phone": "12"}}, "/subject/phone"),
        ({"kind": "erasure", "subject": {"phone": "0812345678"}, "received_at": _days_ago(-2)},
         "/received_at"),
        ({"kind": "wipe", "subject": {"phone": "0812345678"}}, "/kind"),
        ({"kind": "access", "subject": {"phone": "0812345678"}, "extra": 1}, "/extra"),
    ]  # fmt: skip
    for body, pointer in cases:
        response = await client.post(REQUESTS, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert pointer in [e.get("pointer") for e in response.json()["errors"]], response.text
    listed = await client.get(REQUESTS, headers=headers)
    assert listed.json()["items"] == []


async def test_clocks_and_filters(client, actors) -> None:
    headers = actors[Role.supervisor].headers
    late = await _record(client, headers, {**_request(), "received_at": _days_ago(31)})
    soon = await _record(client, headers, {**_request(), "received_at": _days_ago(25)})
    erasure = await _record(client, headers, {**_request("erasure"), "received_at": _days_ago(31)})
    assert (late["state"], soon["state"], erasure["state"]) == ("overdue", "due_soon", "on_time")
    assert late["seconds_to_due"] < 0

    async def ids(**params: str) -> list[str]:
        response = await client.get(REQUESTS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert await ids() == [soon["id"], erasure["id"], late["id"]]
    assert await ids(open="true") == [late["id"], soon["id"], erasure["id"]]
    assert await ids(overdue="true") == [late["id"]]
    assert await ids(kind="erasure") == [erasure["id"]]
    first = await client.get(REQUESTS, params={"open": "true", "limit": "2"}, headers=headers)
    cursor = first.json()["next_cursor"]
    rest = await client.get(
        REQUESTS, params={"open": "true", "limit": "2", "cursor": cursor}, headers=headers
    )
    assert [r["id"] for r in rest.json()["items"]] == [erasure["id"]]
    bad = await client.get(REQUESTS, params={"cursor": "nonsense"}, headers=headers)
    assert bad.status_code == 422

    refused = await client.post(
        f"{REQUESTS}/{late['id']}/refuse", json={"reason": "ยืนยันตัวตนไม่ได้"}, headers=headers
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["outcome"] == "refused"
    assert await ids(outcome="refused") == [late["id"]]
    assert await ids(overdue="true") == []


async def test_export_shows_what_was_shared_with_which_agency(
    client, session: AsyncSession, actors, make_actor
) -> None:
    caseworker = actors[Role.caseworker].headers
    supervisor = actors[Role.supervisor].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    body = anonymous_body(client={"phone": "0845556666", "first_name": "มานี"})
    case = await create_case(client, caseworker, body)
    for step in ("screened", "in_progress"):
        assert (await move(client, caseworker, case["id"], step)).status_code == 200
    made = await refer(client, caseworker, case["id"], shelter.service.id)
    assert made.status_code == 201, made.text
    request = await _record(client, supervisor, _request("portability", phone="0845556666"))
    response = await client.get(f"{REQUESTS}/{request['id']}/export", headers=supervisor)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    (held,) = response.json()["cases"]
    (referral,) = held["referrals"]
    assert referral["organization"] == "Shelter"
    assert referral["service"] == "Shelter service"
    assert referral["shared_groups"] == ["contact", "summary"]
    assert held["case"]["client_first_name"] == "มานี"
    assert "client_id_hash" not in held["case"] and "chain_anchor" not in held["case"]


async def test_answers_and_their_conflicts(client, actors) -> None:
    headers = actors[Role.supervisor].headers
    erasure = await _record(client, headers, _request("erasure", id_number=OTHER_THAI_ID))
    url = f"{REQUESTS}/{erasure['id']}"
    assert (await client.get(url + "/export", headers=headers)).status_code == 409
    no_reason = await client.post(url + "/refuse", json={}, headers=headers)
    assert no_reason.status_code == 422
    blank = await client.post(url + "/refuse", json={"reason": "  "}, headers=headers)
    assert blank.status_code == 422
    done = await client.post(url + "/complete", headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["outcome"] == "completed"  # nothing held: nothing to erase
    again = await client.post(url + "/complete", headers=headers)
    assert again.status_code == 409
    assert (
        await client.post(url + "/refuse", json={"reason": "x"}, headers=headers)
    ).status_code == 409
    read = await client.get(url, headers=headers)
    assert read.json()["outcome"] == "completed" and read.json()["version"] == 2


async def test_who_may_do_what(client, actors) -> None:
    request = await _record(client, actors[Role.supervisor].headers, _request())
    url = f"{REQUESTS}/{request['id']}"
    for role in (Role.volunteer, Role.caseworker, Role.agency):
        headers = actors[role].headers
        assert (await client.get(REQUESTS, headers=headers)).status_code == 403
        assert (await client.post(REQUESTS, json=_request(), headers=headers)).status_code == 403
        assert (await client.get(url + "/export", headers=headers)).status_code == 403
    admin = actors[Role.admin].headers
    assert (await client.get(url, headers=admin)).status_code == 200
    assert (await client.get(url + "/export", headers=admin)).status_code == 403
    assert (await client.post(url + "/complete", headers=admin)).status_code == 403
    assert (await client.get(REQUESTS)).status_code == 401
    missing = f"{REQUESTS}/{uuid.uuid4()}"
    supervisor = actors[Role.supervisor].headers
    for response in (
        await client.get(missing, headers=supervisor),
        await client.get(missing + "/export", headers=supervisor),
        await client.post(missing + "/complete", headers=supervisor),
        await client.post(missing + "/refuse", json={"reason": "x"}, headers=supervisor),
    ):
        assert response.status_code == 404, response.text
