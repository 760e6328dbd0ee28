"""PATCH keeps intake's client rules; recorded times are ISO 8601; ages use the request's
time; every refusal of the case modules speaks Thai from the catalogue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import col

from models.case import Case
from models.enums import Role
from service.cases import reading
from service.platform.messages import DETAILS, FIELD_TEXT, PROBLEMS
from tests.support.cases import CASES, anonymous_body, create_case

TH = {"Accept-Language": "th"}


@pytest.mark.parametrize(
    ("start", "patch"),
    [
        ({"gender": "male"}, {"pregnant": True}),
        ({"gender": "female", "pregnant": True}, {"gender": "male"}),
        ({"pregnant": True}, {"gender": "male", "pregnant": True}),
    ],
)
async def test_a_patch_cannot_make_a_male_client_pregnant(client, actors, start, patch) -> None:
    body = anonymous_body()
    body["client"].update(start)
    case = await create_case(client, actors[Role.volunteer].headers, body)
    response = await client.patch(
        f"{CASES}/{case['id']}",
        json={"client": patch},
        headers={**actors[Role.caseworker].headers, "If-Match": '"1"'},
    )
    assert response.status_code == 422, response.text
    assert [(e["pointer"], e["type"]) for e in response.json()["errors"]] == [
        ("/client/pregnant", "consistency")
    ]
    unchanged = await client.get(f"{CASES}/{case['id']}", headers=actors[Role.caseworker].headers)
    assert unchanged.json()["version"] == 1


async def test_intake_refuses_a_pregnant_male_client_as_a_patch_does(client, actors) -> None:
    body = anonymous_body()
    body["client"].update({"gender": "male", "pregnant": True})
    response = await client.post(CASES, json=body, headers={**actors[Role.volunteer].headers, **TH})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["pointer"], e["type"]) for e in errors] == [("/client/pregnant", "consistency")]
    assert errors[0]["detail"] == FIELD_TEXT["consistency"].th


async def test_recorded_times_are_iso_8601_with_offset(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    url = f"{CASES}/{case['id']}"
    screened = await client.post(
        url + "/transitions",
        json={"to": "screened", "urgency": "normal"},
        headers={**caseworker.headers, "If-Match": '"1"'},
    )
    assert screened.status_code == 200
    event = (await client.get(url + "/timeline", headers=caseworker.headers)).json()["items"][-1]
    before, after = event["changes"]["screened_at"]
    assert before is None
    assert "T" in after and datetime.fromisoformat(after).utcoffset() is not None


async def test_the_age_shown_is_the_age_at_the_requests_time(
    client, actors, session, settings
) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    await session.execute(
        sa.update(Case)
        .where(col(Case.id) == uuid.UUID(case["id"]))
        .values(client_birth_date=datetime(2010, 6, 15).date(), client_birth_year=None)
    )
    ages = []
    for now in (
        datetime(2026, 6, 14, 16, 59, tzinfo=UTC),
        datetime(2026, 6, 14, 17, 0, tzinfo=UTC),
    ):
        body, _tag = await reading.read_case(
            session,
            settings=settings,
            user=actors[Role.caseworker].user,
            case_id=uuid.UUID(case["id"]),
            now=now,
        )
        ages.append(body.client.age)
    assert ages == [15, 16]  # the birthday begins at midnight in Bangkok (17:00 UTC)


async def test_every_refusal_of_a_case_speaks_thai(client, actors, session) -> None:
    volunteer, caseworker = actors[Role.volunteer], actors[Role.caseworker]
    case = await create_case(client, volunteer.headers)
    url = f"{CASES}/{case['id']}"
    cw = {**caseworker.headers, **TH}

    def detail(response, status: int) -> str:  # type: ignore[no-untyped-def]
        assert response.status_code == status, response.text
        assert response.headers["content-language"] == "th"
        return str(response.json()["detail"])

    def field(response) -> list[str]:  # type: ignore[no-untyped-def]
        assert response.status_code == 422, response.text
        return [e["detail"] for e in response.json()["errors"]]

    missing = await client.get(f"{CASES}/{uuid.uuid4()}", headers=cw)
    assert detail(missing, 404) == DETAILS["case.not_found"].th
    read_only = await client.patch(
        url, json={"summary": "x"}, headers={**volunteer.headers, **TH, "If-Match": '"1"'}
    )
    assert detail(read_only, 403) == DETAILS["case.read_only"].th
    note = await client.post(
        url + "/notes", json={"body": "x"}, headers={**volunteer.headers, **TH}
    )
    assert detail(note, 403) == DETAILS["case.read_only"].th
    no_tag = await client.patch(url, json={"summary": "x"}, headers=cw)
    assert detail(no_tag, 428) == DETAILS["case.if_match"].th
    stale = await client.patch(url, json={"summary": "x"}, headers={**cw, "If-Match": '"9"'})
    assert detail(stale, 412) == DETAILS["case.stale"].th
    invalid = await client.post(
        url + "/transitions", json={"to": "resolved"}, headers={**cw, "If-Match": '"1"'}
    )
    assert detail(invalid, 409) == PROBLEMS["invalid-transition"].detail.th
    early = await client.post(
        url + "/transitions",
        json={"to": "closed", "closure_reason": "resolved"},
        headers={**cw, "If-Match": '"1"'},
    )
    assert field(early) == [FIELD_TEXT["closure_early"].th]
    unclosed = await client.post(
        url + "/transitions",
        json={"to": "screened", "closure_reason": "resolved"},
        headers={**cw, "If-Match": '"1"'},
    )
    assert field(unclosed) == [FIELD_TEXT["closing_only"].th]
    await session.execute(
        sa.update(Case)
        .where(col(Case.id) == uuid.UUID(case["id"]))
        .values(lead_id=volunteer.user.id)
    )
    await session.commit()
    by_lead = await client.post(
        url + "/transitions",
        json={"to": "screened"},
        headers={**volunteer.headers, **TH, "If-Match": '"1"'},
    )
    assert detail(by_lead, 403) == DETAILS["transition.role"].th
    no_link = await client.post(f"{url}/duplicates/{uuid.uuid4()}/dismiss", headers=cw)
    assert detail(no_link, 404) == DETAILS["duplicate.not_found"].th
    closed = await client.post(
        url + "/transitions",
        json={"to": "closed", "closure_reason": "out_of_scope"},
        headers={**cw, "If-Match": '"1"'},
    )
    assert closed.status_code == 200, closed.text
    after_close = await client.patch(
        url, json={"summary": "x"}, headers={**cw, "If-Match": closed.headers["etag"]}
    )
    assert detail(after_close, 409) == DETAILS["case.closed"].th
