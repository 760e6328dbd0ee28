"""The privacy routes: the record of processing, the breach register, who read a case."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from models.enums import Role
from tests.support.cases import CASES, create_case
from tests.support.sweep_privacy import BREACH_EXAMPLE, BREACHES

RECORD = "/api/v1/privacy/record-of-processing"


def _breach(**changes) -> dict:
    body = copy.deepcopy(BREACH_EXAMPLE)
    body.update(changes)
    return body


def _hours_ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


async def test_the_record_of_processing_names_every_activity_and_where_data_lives(
    client, actors
) -> None:
    response = await client.get(RECORD, headers=actors[Role.admin].headers)
    assert response.status_code == 200, response.text
    activities = {a["name"]: a for a in response.json()["activities"]}
    assert {"case_handling", "audit", "routing", "accounts", "directory", "privacy"} <= set(
        activities
    )
    stored = {
        (c["table"], c["column"]): c["category"] for c in activities["case_handling"]["columns"]
    }
    assert stored[("cases", "client_id_number_enc")] == "id_number"
    assert stored[("cases", "client_disability")] == "health"
    assert "s.26" in activities["case_handling"]["legal_basis"]


async def test_the_record_of_processing_as_csv(client, actors) -> None:
    response = await client.get(
        RECORD, headers={**actors[Role.supervisor].headers, "Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("activity,purpose,legal_basis")
    assert any(line.startswith("case_handling,") and ",health," in line for line in lines)


async def test_only_supervisors_and_admins_keep_privacy_records(client, actors) -> None:
    for role in (Role.volunteer, Role.caseworker, Role.agency):
        headers = actors[role].headers
        assert (await client.get(RECORD, headers=headers)).status_code == 403
        assert (await client.get(BREACHES, headers=headers)).status_code == 403
        assert (await client.post(BREACHES, json=_breach(), headers=headers)).status_code == 403


async def test_a_breach_gets_its_72_hour_clock(client, actors) -> None:
    headers = actors[Role.supervisor].headers
    detected = datetime.now(UTC) - timedelta(hours=50)
    response = await client.post(
        BREACHES, json=_breach(detected_at=detected.isoformat()), headers=headers
    )
    assert response.status_code == 201, response.text
    breach = response.json()
    assert response.headers["etag"] == '"1"'
    assert datetime.fromisoformat(breach["notify_due_at"]) == detected + timedelta(hours=72)
    assert breach["notification"] == "due_soon"  # 22 hours left
    assert 21 * 3600 < breach["seconds_to_due"] < 22 * 3600 + 60


async def test_the_open_breaches_come_soonest_due_first(client, actors) -> None:
    headers = actors[Role.admin].headers
    made = []
    for hours in (10, 80, 55):
        response = await client.post(
            BREACHES, json=_breach(detected_at=_hours_ago(hours)), headers=headers
        )
        made.append(response.json())
    listed = (await client.get(BREACHES, params={"open": "true"}, headers=headers)).json()
    ours = [b for b in listed["items"] if b["id"] in {m["id"] for m in made}]
    assert [b["notification"] for b in ours] == ["overdue", "due_soon", "on_time"]
    first = (
        await client.get(BREACHES, params={"open": "true", "limit": 1}, headers=headers)
    ).json()
    second = await client.get(
        BREACHES,
        params={"open": "true", "limit": 1, "cursor": first["next_cursor"]},
        headers=headers,
    )
    assert second.json()["items"][0]["id"] != first["items"][0]["id"]


async def test_a_breach_of_vulnerable_peoples_data_is_never_unlikely_to_harm(
    client, actors
) -> None:
    response = await client.post(
        BREACHES, json=_breach(risk="unlikely"), headers=actors[Role.supervisor].headers
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/risk"]


async def test_a_breach_detected_in_the_future_is_refused(client, actors) -> None:
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    response = await client.post(
        BREACHES, json=_breach(detected_at=future), headers=actors[Role.supervisor].headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/detected_at"


async def test_closing_a_breach_needs_the_notifications_its_risk_requires(client, actors) -> None:
    headers = actors[Role.supervisor].headers
    breach = (
        await client.post(BREACHES, json=_breach(detected_at=_hours_ago(5)), headers=headers)
    ).json()
    url = f"{BREACHES}/{breach['id']}"

    assert (await client.patch(url, json={"closed": True}, headers=headers)).status_code == 428
    stale = await client.patch(url, json={"closed": True}, headers={**headers, "If-Match": '"9"'})
    assert stale.status_code == 412

    refused = await client.patch(url, json={"closed": True}, headers={**headers, "If-Match": '"1"'})
    assert refused.status_code == 422
    assert {e["type"] for e in refused.json()["errors"]} == {"breach_regulator", "breach_subjects"}
    assert (await client.get(url, headers=headers)).json()["closed_at"] is None  # nothing changed

    before = await client.patch(
        url, json={"regulator_notified_at": _hours_ago(6)}, headers={**headers, "If-Match": '"1"'}
    )
    assert before.status_code == 422
    assert before.json()["errors"][0]["type"] == "before_detection"

    told = await client.patch(
        url,
        json={"regulator_notified_at": _hours_ago(2), "subjects_notified_at": _hours_ago(1)},
        headers={**headers, "If-Match": '"1"'},
    )
    assert told.status_code == 200, told.text
    assert told.json()["notification"] == "notified"
    closed = await client.patch(
        url, json={"closed": True}, headers={**headers, "If-Match": told.headers["etag"]}
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_at"] is not None
    listed = (await client.get(BREACHES, params={"open": "true"}, headers=headers)).json()
    assert breach["id"] not in {b["id"] for b in listed["items"]}


async def test_an_unknown_breach_is_404(client, actors) -> None:
    response = await client.get(
        f"{BREACHES}/00000000-0000-4000-8000-000000000000", headers=actors[Role.admin].headers
    )
    assert response.status_code == 404


async def test_supervisors_see_who_read_a_case(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, caseworker.headers)
    assert (
        await client.get(f"{CASES}/{case['id']}", headers=caseworker.headers)
    ).status_code == 200
    assert (
        await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker.headers)
    ).status_code == 200

    response = await client.get(
        f"{CASES}/{case['id']}/reads", headers=actors[Role.supervisor].headers
    )
    assert response.status_code == 200, response.text
    reads = response.json()["items"]
    assert [(r["what"], r["reader_id"], r["reader_role"]) for r in reads[:2]] == [
        ("timeline", str(caseworker.user.id), "caseworker"),
        ("detail", str(caseworker.user.id), "caseworker"),
    ]
    page = await client.get(
        f"{CASES}/{case['id']}/reads", params={"limit": 1}, headers=actors[Role.supervisor].headers
    )
    assert page.json()["next_cursor"]


async def test_only_supervisors_see_who_read_a_case(client, actors) -> None:
    case = await create_case(client, actors[Role.caseworker].headers)
    for role in (Role.caseworker, Role.volunteer, Role.agency, Role.admin):
        response = await client.get(f"{CASES}/{case['id']}/reads", headers=actors[role].headers)
        assert response.status_code == 403, role
    missing = await client.get(
        f"{CASES}/00000000-0000-4000-8000-000000000000/reads",
        headers=actors[Role.supervisor].headers,
    )
    assert missing.status_code == 404
