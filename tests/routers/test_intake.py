"""`POST /api/v1/cases`: validation, derived values, reference numbers, retries and duplicates."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models.base import utcnow
from models.case import Case, DuplicateLink, IdempotencyRecord
from models.enums import Role
from service.platform.crypto import ID_NUMBER_PURPOSE, open_id_number, seal, unseal
from service.platform.db import is_sqlite
from service.platform.idempotency import ANSWER_PURPOSE, claim, fingerprint
from service.thai.dates import buddhist_year
from tests.conftest import Actor, access_headers, create_user
from tests.support.cases import (
    CASES,
    VALID_THAI_ID,
    anonymous_body,
    create_case,
    etag_of,
    intake_body,
    move,
)

PROBLEM = "application/problem+json"
OTHER_ID = "3100600452569"
STATELESS_ID = "0123456789016"  # starts with 0: a non-Thai or stateless person's id
REFERENCE = re.compile(r"^OS-(\d{4})-(\d{6})$")


async def count_cases(session: AsyncSession) -> int:
    return int((await session.execute(sa.select(sa.func.count()).select_from(Case))).scalar_one())


async def stored_case(session: AsyncSession, case_id: str) -> Case:
    session.expire_all()
    case = await session.get(Case, uuid.UUID(case_id))
    assert case is not None
    return case


def pointers(response: httpx.Response) -> list[str]:
    return [e.get("pointer") for e in response.json()["errors"]]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    return dict(body)


async def submit(http: httpx.AsyncClient, auth: dict[str, str], **changes: Any) -> httpx.Response:
    """Post the standard intake with `changes` (which may include `client`)."""
    return await http.post(CASES, json=intake_body(**changes), headers=auth)


def person(**client: Any) -> dict[str, Any]:
    """An intake whose client is exactly `client` (plus a name that matches nothing)."""
    fields = {"first_name": f"Tester{uuid.uuid4().hex}", "id_type": "unknown", **client}
    body = intake_body()
    body["client"] = {k: v for k, v in fields.items() if v is not None}
    return body


@pytest.fixture
async def volunteer(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.volunteer]


@pytest.fixture
async def caseworker(actors: dict[Role, Actor]) -> Actor:
    return actors[Role.caseworker]


# --------------------------------------------------------------------------- validation


async def _refused(
    client: httpx.AsyncClient, session: AsyncSession, headers: dict[str, str], body: Any
) -> httpx.Response:
    before = await count_cases(session)
    response = await client.post(CASES, json=body, headers=headers)
    assert_problem(response, 422)
    assert response.json()["type"].endswith("/validation-error")
    assert await count_cases(session) == before
    return response


@pytest.mark.parametrize(
    ("client_fields", "pointer"),
    [
        ({"id_type": "thai_id", "id_number": "1101700230709"}, "/client/id_number"),
        ({"id_type": "thai_id", "id_number": "110170023070"}, "/client/id_number"),
        ({"id_type": "thai_id", "id_number": "11017OO230708"}, "/client/id_number"),
        ({"id_type": "non_thai_id", "id_number": "0123456789012"}, "/client/id_number"),
        ({"id_type": "none", "id_number": VALID_THAI_ID}, "/client/id_number"),
        ({"id_type": "unknown", "id_number": VALID_THAI_ID}, "/client/id_number"),
        ({"id_type": "passport", "id_number": "AB1"}, "/client/id_number"),
        ({"id_type": "passport", "id_number": "AB#123456"}, "/client/id_number"),
        ({"phone": "12345"}, "/client/phone"),
        ({"phone": "call me"}, "/client/phone"),
        ({"birth_year": None, "birth_date": "2999-01-01"}, "/client/birth_date"),
        ({"birth_year": None, "birth_date": "2580-01-01"}, "/client/birth_date"),  # BE 2037
        ({"birth_year": None, "birth_date": "1990-02-30"}, "/client/birth_date"),
        ({"birth_year": 2100}, "/client/birth_year"),
        ({"birth_year": 2600}, "/client/birth_year"),  # BE 2057
    ],
)
async def test_invalid_client_fields_are_422_at_their_pointer(
    client, session, volunteer, client_fields: dict[str, Any], pointer: str
) -> None:
    response = await _refused(client, session, volunteer.headers, intake_body(client=client_fields))
    assert pointers(response) == [pointer]
    # The problem never echoes what was sent.
    for name in ("id_number", "phone"):
        if name in client_fields:
            assert client_fields[name] not in response.text


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"reporter": {"phone": "0000"}}, "/reporter/phone"),
        ({"reporter": {"anonymous": True}}, "/reporter/anonymous"),
        ({"recorded_at": "2999-01-01T00:00:00+07:00"}, "/recorded_at"),
        ({"recorded_at": "2600-01-01T00:00:00+07:00"}, "/recorded_at"),  # BE 2057
        ({"recorded_at": "2026-01-01T08:00:00"}, "/recorded_at"),  # no offset
        (
            {"location": {"province_code": "99", "district_code": None, "subdistrict_code": None}},
            "/location/province_code",
        ),
        (
            {"location": {"district_code": "5001", "subdistrict_code": None}},
            "/location/district_code",
        ),
        ({"location": {"subdistrict_code": "100201"}}, "/location/subdistrict_code"),
        ({"location": {"postal_code": "10300"}}, "/location/postal_code"),
        ({"location": {"province_code": "1"}}, "/location/province_code"),
        ({"consent": {"data_collection": "refused", "basis": "consent"}}, "/consent/basis"),
        ({"consent": {"data_collection": "not_possible", "basis": "consent"}}, "/consent/basis"),
        ({"summary": "ก" * 4001}, "/summary"),
        ({"summary": ""}, "/summary"),
        ({"categories": []}, "/categories"),
        ({"categories": ["not_a_category"]}, "/categories/0"),
        ({"categories": ["other"] * 11}, "/categories"),
        ({"status": "closed"}, "/status"),
        ({"lead": str(uuid.uuid4())}, "/lead"),
        ({"created_by": str(uuid.uuid4())}, "/created_by"),
        ({"reference": "OS-2569-000001"}, "/reference"),
        ({"version": 7}, "/version"),
        ({"client": {"foo": 1}}, "/client/foo"),
        ({"reporter": {"verified": True}}, "/reporter/verified"),
        ({"consent": {"recorded_by_id": str(uuid.uuid4())}}, "/consent/recorded_by_id"),
    ],
)
async def test_invalid_intakes_are_422_at_their_pointer(
    client, session, volunteer, changes: dict[str, Any], pointer: str
) -> None:
    response = await _refused(client, session, volunteer.headers, intake_body(**changes))
    assert pointers(response) == [pointer]


async def test_several_problems_are_reported_together(client, session, volunteer) -> None:
    body = intake_body(
        client={"id_number": "1101700230709", "phone": "123", "birth_year": 2600},
        reporter={"phone": "x", "anonymous": True},
        location={"district_code": "5001", "subdistrict_code": None, "postal_code": None},
        consent={"data_collection": "refused", "basis": "consent"},
        recorded_at="2999-01-01T00:00:00Z",
    )
    response = await _refused(client, session, volunteer.headers, body)
    assert sorted(pointers(response)) == sorted(
        [
            "/client/id_number",
            "/client/phone",
            "/client/birth_year",
            "/reporter/phone",
            "/reporter/anonymous",
            "/recorded_at",
            "/location/district_code",
            "/consent/basis",
        ]
    )
    schema_errors = await _refused(
        client,
        session,
        volunteer.headers,
        intake_body(status="closed", summary="", categories=[], client={"foo": 1}),
    )
    assert sorted(pointers(schema_errors)) == ["/categories", "/client/foo", "/status", "/summary"]


async def test_mass_assignment_is_impossible(client, session, volunteer, caseworker) -> None:
    body = intake_body(status="closed", lead=str(caseworker.user.id))
    await _refused(client, session, volunteer.headers, body)
    created = await create_case(client, volunteer.headers, intake_body())
    assert created["status"] == "new"
    assert created["lead"] is None
    assert created["created_by"] == str(volunteer.user.id)


async def test_agency_and_admin_may_not_submit(client, session, actors) -> None:
    for role in (Role.agency, Role.admin):
        response = await client.post(CASES, json=intake_body(), headers=actors[role].headers)
        assert_problem(response, 403)
    assert_problem(await client.post(CASES, json=intake_body()), 401)
    assert await count_cases(session) == 0


# --------------------------------------------------------------------------- what is stored


async def test_valid_intake_is_created_with_location_and_etag(client, session, volunteer) -> None:
    response = await submit(client, volunteer.headers)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert response.headers["location"] == f"{CASES}/{body['id']}"
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert "idempotent-replayed" not in response.headers
    assert body["status"] == "new"
    assert body["urgency"] == "high"
    assert body["categories"] == ["older_person", "income_livelihood"]
    assert await count_cases(session) == 1


async def test_zero_prefixed_id_is_accepted(client, session, caseworker) -> None:
    response = await submit(
        client, caseworker.headers, client={"id_type": "non_thai_id", "id_number": STATELESS_ID}
    )
    assert response.status_code == 201, response.text
    assert response.json()["client"]["id_number"] == STATELESS_ID


async def test_passport_number_is_normalised(client, session, caseworker) -> None:
    response = await submit(
        client, caseworker.headers, client={"id_type": "passport", "id_number": "aa 123-4567"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["client"]["id_number"] == "AA1234567"


async def test_phones_are_stored_as_e164(client, session, volunteer) -> None:
    response = await submit(
        client,
        volunteer.headers,
        client={"phone": "081-234-5678"},
        reporter={"phone": "02 123 4567"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["client"]["phone"] == "+66812345678"
    assert body["reporter"]["phone"] == "+6621234567"
    case = await stored_case(session, body["id"])
    assert (case.client_phone, case.reporter_phone) == ("+66812345678", "+6621234567")


async def test_buddhist_era_birth_year_is_stored_in_common_era(client, session, volunteer) -> None:
    response = await submit(client, volunteer.headers, client={"birth_year": 2530})
    assert response.status_code == 201, response.text
    assert response.json()["client"]["birth_year"] == 1987
    assert (await stored_case(session, response.json()["id"])).client_birth_year == 1987


async def test_buddhist_era_birth_date_is_stored_in_common_era(client, session, volunteer) -> None:
    response = await submit(
        client, volunteer.headers, client={"birth_year": None, "birth_date": "2530-05-12"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["client"]["birth_date"] == "1987-05-12"
    case = await stored_case(session, response.json()["id"])
    assert case.client_birth_date == date(1987, 5, 12)


async def test_buddhist_era_leap_day_is_accepted(client, session, volunteer) -> None:
    # 2567 BE = 2024 CE, a leap year (2567 itself is not divisible by four).
    response = await submit(
        client, volunteer.headers, client={"birth_year": None, "birth_date": "2567-02-29"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["client"]["birth_date"] == "2024-02-29"
    # 2568 BE = 2025 CE has no 29 February.
    response = await _refused(
        client,
        session,
        volunteer.headers,
        intake_body(client={"birth_year": None, "birth_date": "2568-02-29"}),
    )
    assert pointers(response) == ["/client/birth_date"]


async def test_recorded_at_in_buddhist_era_is_converted(client, session, volunteer) -> None:
    response = await submit(client, volunteer.headers, recorded_at="2568-03-01T09:00:00+07:00")
    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(response.json()["recorded_at"]) == datetime.fromisoformat(
        "2025-03-01T02:00:00+00:00"
    )
    case = await stored_case(session, response.json()["id"])
    assert case.recorded_at == datetime.fromisoformat("2025-03-01T02:00:00+00:00")


async def test_recorded_at_on_a_buddhist_era_leap_day_is_converted(client, volunteer) -> None:
    # 2567-02-29 is 2024-02-29: a real day, though 2567 read as a CE year has no 29 February.
    response = await submit(client, volunteer.headers, recorded_at="2567-02-29T10:00:00+07:00")
    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(response.json()["recorded_at"]) == datetime.fromisoformat(
        "2024-02-29T03:00:00+00:00"
    )


async def test_recorded_at_defaults_to_the_upload_time(client, volunteer) -> None:
    before = utcnow()
    body = await create_case(client, volunteer.headers, intake_body())
    assert before <= datetime.fromisoformat(body["recorded_at"]) <= utcnow()


async def test_raw_id_number_is_never_stored(client, session, volunteer, settings) -> None:
    response = await submit(client, volunteer.headers)
    assert response.status_code == 201, response.text
    case_id = uuid.UUID(response.json()["id"])
    table = Case.__table__  # type: ignore[attr-defined]
    row = (await session.execute(sa.select(table).where(table.c.id == case_id))).mappings().one()
    encrypted = row["client_id_number_enc"]
    assert isinstance(encrypted, bytes)
    assert VALID_THAI_ID.encode() not in encrypted
    assert row["client_id_hash"] not in (None, VALID_THAI_ID)
    assert VALID_THAI_ID not in row["client_id_hash"]
    for column, value in row.items():
        assert VALID_THAI_ID not in str(value), column
        assert "1-1017-00230-70-8" not in str(value), column
    assert row["client_id_last4"] == "0708"
    # Sealed for this row only: copied to another case, it does not open (readers see it as
    # unavailable; the seal itself refuses).
    assert open_id_number(settings.data_key, encrypted, case_id) == VALID_THAI_ID
    assert open_id_number(settings.data_key, encrypted, uuid.uuid4()) is None
    with pytest.raises(InvalidTag):
        unseal(settings.data_key, ID_NUMBER_PURPOSE, encrypted, uuid.uuid4().bytes)


async def test_stored_idempotent_answers_hold_no_readable_personal_data(
    client, session, caseworker, settings
) -> None:
    """A caseworker's answer carries the full id number; the copy kept for replays is sealed."""
    headers = {**caseworker.headers, "Idempotency-Key": "sealed-answer-1"}
    first = await client.post(CASES, json=intake_body(), headers=headers)
    assert first.status_code == 201, first.text
    assert VALID_THAI_ID in first.text
    record = (await session.execute(sa.select(IdempotencyRecord))).scalars().one()
    assert record.body is not None
    for private in (VALID_THAI_ID, "สมศรี", "+66812345678"):
        assert private.encode() not in record.body
    replay = await client.post(CASES, json=intake_body(), headers=headers)
    assert replay.content == first.content
    # Bound to its caller and key: copied to another key it does not open.
    with pytest.raises(InvalidTag):
        unseal(settings.data_key, ANSWER_PURPOSE, record.body, uuid.uuid4().bytes)


async def test_id_number_is_masked_for_the_volunteer_and_full_for_caseworkers(
    client, volunteer, caseworker
) -> None:
    response = await submit(client, volunteer.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["client"]["id_number"] == "*********0708"
    assert created["client"]["id_number_masked"] is True
    assert VALID_THAI_ID not in response.text
    as_volunteer = await client.get(f"{CASES}/{created['id']}", headers=volunteer.headers)
    assert as_volunteer.json()["client"]["id_number"] == "*********0708"
    as_caseworker = await client.get(f"{CASES}/{created['id']}", headers=caseworker.headers)
    assert as_caseworker.json()["client"]["id_number"] == VALID_THAI_ID
    assert as_caseworker.json()["client"]["id_number_masked"] is False


# --------------------------------------------------------------------------- derived values


async def test_immediate_danger_forces_critical(client, volunteer) -> None:
    body = await create_case(
        client, volunteer.headers, intake_body(immediate_danger=True, urgency="low")
    )
    assert body["urgency"] == "critical"
    assert body["suggested_urgency"] == "low"
    assert body["immediate_danger"] is True
    body = await create_case(client, volunteer.headers, intake_body(urgency=None))
    assert (body["urgency"], body["suggested_urgency"]) == ("normal", None)


@pytest.mark.parametrize(
    ("client_fields", "groups"),
    [
        ({"birth_year": None, "birth_date": "2018-03-04"}, ["child"]),
        ({"birth_year": None, "birth_date": "2561-03-04"}, ["child"]),  # BE 2018
        ({"birth_year": None, "age_estimate": 20}, ["youth"]),
        ({"birth_year": 2490}, ["older_person"]),  # BE 1947
        ({"birth_year": None, "age_estimate": 40, "disability": True}, ["disability"]),
        (
            {"birth_year": None, "age_estimate": 15, "pregnant": True},
            ["child", "pregnancy"],
        ),
        ({"birth_year": None}, []),
    ],
)
async def test_target_groups_are_derived(
    client, volunteer, client_fields: dict[str, Any], groups: list[str]
) -> None:
    body = await create_case(client, volunteer.headers, intake_body(client=client_fields))
    assert body["target_groups"] == groups


async def test_consent_basis_and_recorder(client, volunteer) -> None:
    body = await create_case(client, volunteer.headers, intake_body())
    assert body["consent"]["basis"] == "consent"
    assert body["consent"]["recorded_by_id"] == str(volunteer.user.id)
    body = await create_case(
        client,
        volunteer.headers,
        intake_body(consent={"data_collection": "not_possible", "share_with_agencies": False}),
    )
    assert body["consent"]["basis"] is None
    body = await create_case(
        client,
        volunteer.headers,
        intake_body(consent={"data_collection": "refused", "basis": "vital_interest"}),
    )
    assert body["consent"]["basis"] == "vital_interest"


async def test_anonymous_reporter_without_name_is_accepted(client, volunteer) -> None:
    body = await create_case(
        client,
        volunteer.headers,
        intake_body(reporter={"anonymous": True, "name": None, "phone": None}),
    )
    assert body["reporter"] == {
        "relationship": "neighbour",
        "name": None,
        "phone": None,
        "anonymous": True,
    }


# --------------------------------------------------------------------------- references


async def test_reference_numbers_count_up_in_the_buddhist_era_year(client, volunteer) -> None:
    references = [(await create_case(client, volunteer.headers))["reference"] for _ in range(3)]
    numbers = []
    for reference in references:
        match = REFERENCE.match(reference)
        assert match is not None, reference
        assert int(match.group(1)) == buddhist_year(utcnow())
        numbers.append(int(match.group(2)))
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3


async def committed_actors(engine: AsyncEngine, settings, *roles: Role) -> list[Actor]:
    """Users committed for real, for tests whose requests run on their own connections."""
    actors = []
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        for role in roles:
            user = await create_user(session, role)
            actors.append(Actor(user, await access_headers(session, settings, user)))
        await session.commit()
    return actors


async def committed_count(engine: AsyncEngine, table: Any = Case) -> int:
    async with engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(table)
        return int((await connection.execute(query)).scalar_one())


async def test_concurrent_intakes_get_distinct_references(
    committed_client, committed_db, settings
) -> None:
    people = await committed_actors(
        committed_db, settings, Role.volunteer, Role.volunteer, Role.caseworker, Role.supervisor
    )
    responses = await asyncio.gather(
        *(
            committed_client.post(CASES, json=anonymous_body(), headers=people[i % 4].headers)
            for i in range(50)
        )
    )
    assert [r.status_code for r in responses] == [201] * 50, [
        r.text for r in responses if r.status_code != 201
    ][:3]
    references = {r.json()["reference"] for r in responses}
    assert len(references) == 50
    assert all(REFERENCE.match(reference) for reference in references)
    assert await committed_count(committed_db) == 50


# --------------------------------------------------------------------------- Idempotency-Key


async def test_same_key_and_body_replays_the_first_answer(client, session, volunteer) -> None:
    headers = {**volunteer.headers, "Idempotency-Key": "intake-1"}
    body = intake_body()
    first = await client.post(CASES, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await client.post(CASES, json=body, headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    assert await count_cases(session) == 1


async def test_key_order_and_spacing_do_not_change_the_body(client, session, volunteer) -> None:
    headers = {
        **volunteer.headers,
        "Idempotency-Key": "order-1",
        "Content-Type": "application/json",
    }
    body = intake_body()
    first = await client.post(CASES, content=json.dumps(body), headers=headers)
    assert first.status_code == 201, first.text
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=False)
    again = await client.post(CASES, content=reordered.encode(), headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert await count_cases(session) == 1


async def test_same_key_with_another_body_is_422(client, session, volunteer) -> None:
    headers = {**volunteer.headers, "Idempotency-Key": "mismatch-1"}
    assert (await client.post(CASES, json=intake_body(), headers=headers)).status_code == 201
    response = await client.post(CASES, json=intake_body(summary="อีกเรื่องหนึ่ง"), headers=headers)
    body = assert_problem(response, 422)
    assert [e["header"] for e in body["errors"]] == ["Idempotency-Key"]
    assert body["errors"][0]["type"] == "mismatch"
    assert await count_cases(session) == 1


async def test_key_is_scoped_to_the_caller(client, session, volunteer, caseworker) -> None:
    body = intake_body()
    mine = await client.post(
        CASES, json=body, headers={**volunteer.headers, "Idempotency-Key": "shared"}
    )
    theirs = await client.post(
        CASES, json=body, headers={**caseworker.headers, "Idempotency-Key": "shared"}
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert await count_cases(session) == 2


@pytest.mark.parametrize("key", ["has space", "x" * 300, "ключ".encode(), "tab\there", ""])
async def test_invalid_keys_are_422(client, session, volunteer, key: str | bytes) -> None:
    headers = {**volunteer.headers, "Idempotency-Key": key}
    response = await client.post(CASES, json=intake_body(), headers=headers)
    body = assert_problem(response, 422)
    assert [e.get("header") for e in body["errors"]] == ["Idempotency-Key"]
    assert await count_cases(session) == 0


async def test_a_refused_request_does_not_use_up_its_key(client, session, volunteer) -> None:
    headers = {**volunteer.headers, "Idempotency-Key": "fix-and-retry"}
    bad = await client.post(
        CASES, json=intake_body(client={"id_number": "1101700230709"}), headers=headers
    )
    assert pointers(bad) == ["/client/id_number"]
    schema_bad = await client.post(CASES, json=intake_body(summary=""), headers=headers)
    assert pointers(schema_bad) == ["/summary"]
    fixed = await client.post(CASES, json=intake_body(), headers=headers)
    assert fixed.status_code == 201, fixed.text
    assert "idempotent-replayed" not in fixed.headers
    assert await count_cases(session) == 1


async def test_an_expired_key_is_forgotten(client, session, volunteer) -> None:
    now = utcnow()
    session.add(
        IdempotencyRecord(
            owner_id=volunteer.user.id,
            key="last-week",
            fingerprint="f" * 64,
            status_code=201,
            body=b"{}",
            headers={"content-type": "application/json"},
            created_at=now - timedelta(days=7),
            expires_at=now - timedelta(days=5),
        )
    )
    await session.commit()
    headers = {**volunteer.headers, "Idempotency-Key": "last-week"}
    response = await client.post(CASES, json=intake_body(), headers=headers)
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers
    again = await client.post(CASES, json=intake_body(), headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == response.content
    assert await count_cases(session) == 1


async def test_keys_are_kept_at_least_a_day(client, session, volunteer) -> None:
    headers = {**volunteer.headers, "Idempotency-Key": "kept"}
    assert (await client.post(CASES, json=intake_body(), headers=headers)).status_code == 201
    record = (
        await session.execute(sa.select(IdempotencyRecord).where(IdempotencyRecord.key == "kept"))
    ).scalar_one()
    assert record.owner_id == volunteer.user.id
    assert record.status_code == 201
    assert record.expires_at - record.created_at >= timedelta(hours=24)


async def test_concurrent_retries_with_one_key_make_one_case(
    committed_client, committed_db, settings
) -> None:
    (volunteer,) = await committed_actors(committed_db, settings, Role.volunteer)
    headers = {**volunteer.headers, "Idempotency-Key": "burst-1"}
    body = intake_body()
    responses = await asyncio.gather(
        *(committed_client.post(CASES, json=body, headers=headers) for _ in range(20))
    )
    created = [r for r in responses if r.status_code == 201]
    busy = [r for r in responses if r.status_code == 409]
    assert len(created) + len(busy) == 20, [r.text for r in responses]
    assert created, "at least one request must create the case"
    assert len({r.content for r in created}) == 1
    assert sum("idempotent-replayed" not in r.headers for r in created) == 1
    for response in busy:
        assert_problem(response, 409)
        assert int(response.headers["retry-after"]) >= 1
    assert await committed_count(committed_db) == 1
    # Once the first has finished, every retry replays it.
    late = await committed_client.post(CASES, json=body, headers=headers)
    assert late.status_code == 201
    assert late.content == created[0].content


async def test_retry_while_the_first_is_running_is_409(
    committed_client, committed_db, settings, database_url
) -> None:
    if is_sqlite(database_url):
        pytest.skip(
            "SQLite lets one writer in at a time: a retry waits at BEGIN until the first "
            "request commits and then replays it, so an in-flight retry is never seen there."
        )
    (volunteer,) = await committed_actors(committed_db, settings, Role.volunteer)
    headers = {**volunteer.headers, "Idempotency-Key": "in-flight"}
    body = intake_body()
    now = utcnow()
    # A first request that has claimed the key and not committed yet.
    async with committed_db.connect() as first:
        transaction = await first.begin()
        claimed = await claim(
            AsyncSession(bind=first),
            secret=settings.data_key,
            owner_id=volunteer.user.id,
            key="in-flight",
            print_=fingerprint(json.dumps(body).encode()),
            now=now,
        )
        assert claimed is None
        started = asyncio.get_running_loop().time()
        response = await committed_client.post(CASES, json=body, headers=headers)
        waited = asyncio.get_running_loop().time() - started
        assert_problem(response, 409)
        assert response.headers["retry-after"] == "1"
        assert waited < 5
        await transaction.rollback()
    # The first request failed and released the key: the retry goes through.
    retry = await committed_client.post(CASES, json=body, headers=headers)
    assert retry.status_code == 201, retry.text
    assert await committed_count(committed_db) == 1


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
async def test_a_retry_racing_on_an_expired_key_replays_the_winner(
    committed_client, committed_db, settings, database_url
) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite runs one writer at a time, so two requests never race on a key.")
    (volunteer,) = await committed_actors(committed_db, settings, Role.volunteer)
    headers = {**volunteer.headers, "Idempotency-Key": "expired-race"}
    body = intake_body()
    now = utcnow()
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    expired = {
        "owner_id": volunteer.user.id,
        "key": "expired-race",
        "fingerprint": "f" * 64,
        "status_code": 201,
        "body": b"{}",
        "headers": {},
        "created_at": now - timedelta(days=7),
        "expires_at": now - timedelta(days=5),
    }
    async with committed_db.begin() as connection:
        await connection.execute(sa.insert(table).values(**expired))
    async with committed_db.connect() as first:
        # The first retry has read the expired key and is replacing it.
        transaction = await first.begin()
        await first.execute(sa.select(table).where(table.c.key == "expired-race").with_for_update())
        second = asyncio.ensure_future(committed_client.post(CASES, json=body, headers=headers))
        # Give the second retry time to find the expired key and wait on the first.
        await asyncio.sleep(0.5)
        await first.execute(sa.delete(table).where(table.c.key == "expired-race"))
        await first.execute(
            sa.insert(table).values(
                **{
                    **expired,
                    "fingerprint": fingerprint(json.dumps(body).encode()),
                    "body": seal(
                        settings.data_key,
                        ANSWER_PURPOSE,
                        b'{"first": "answer"}',
                        volunteer.user.id.bytes + b"expired-race",
                    ),
                    "headers": {"content-type": "application/json"},
                    "expires_at": now + timedelta(days=2),
                }
            )
        )
        await transaction.commit()
        response = await second
    # The second retry replays what the first stored instead of failing.
    assert response.status_code == 201, response.text
    assert response.content == b'{"first": "answer"}'
    assert response.headers["idempotent-replayed"] == "true"


# --------------------------------------------------------------------------- client_reference


async def test_repeated_client_reference_returns_the_first_case(
    client, session, volunteer, caseworker
) -> None:
    reference = str(uuid.uuid4())
    first = await submit(client, volunteer.headers, client_reference=reference)
    assert first.status_code == 201, first.text
    again = await submit(client, volunteer.headers, client_reference=reference)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["client_reference"] == reference
    assert again.headers["location"] == first.headers["location"]
    assert await count_cases(session) == 1
    # Another caller's phone made the same UUID (or reused it): that is their own case.
    other = await submit(client, caseworker.headers, client_reference=reference)
    assert other.status_code == 201, other.text
    assert other.json()["id"] != first.json()["id"]
    assert await count_cases(session) == 2


async def test_concurrent_client_reference_makes_one_case(
    committed_client, committed_db, settings
) -> None:
    (volunteer,) = await committed_actors(committed_db, settings, Role.volunteer)
    body = intake_body(client_reference=str(uuid.uuid4()))
    responses = await asyncio.gather(
        *(committed_client.post(CASES, json=body, headers=volunteer.headers) for _ in range(10))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201], [r.text for r in responses if r.status_code >= 300]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await committed_count(committed_db) == 1


# --------------------------------------------------------------------------- duplicates


async def _timeline_types(client: httpx.AsyncClient, headers, case_id: str) -> list[dict]:
    response = await client.get(f"{CASES}/{case_id}/timeline", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_same_id_number_written_differently_is_flagged(
    client, session, volunteer, caseworker
) -> None:
    older = await create_case(
        client, caseworker.headers, person(id_type="thai_id", id_number=VALID_THAI_ID)
    )
    newer = await create_case(
        client, caseworker.headers, person(id_type="thai_id", id_number="1-1017-00230-70-8")
    )
    [link] = newer["possible_duplicates"]
    assert link["case_id"] == newer["id"]
    assert link["candidate_id"] == older["id"]
    assert link["candidate_reference"] == older["reference"]
    assert link["reasons"] == ["id_number"]
    assert link["status"] == "open"
    stored = (await session.execute(sa.select(DuplicateLink))).scalars().all()
    assert [(str(s.case_id), str(s.candidate_id)) for s in stored] == [(newer["id"], older["id"])]
    events = await _timeline_types(client, caseworker.headers, newer["id"])
    flagged = [e for e in events if e["type"] == "duplicate_flagged"]
    assert len(flagged) == 1
    assert flagged[0]["data"]["candidates"] == [older["id"]]
    # A different id is not a match.
    third = await create_case(
        client, caseworker.headers, person(id_type="thai_id", id_number=OTHER_ID)
    )
    assert third["possible_duplicates"] == []
    assert "duplicate_flagged" not in {
        e["type"] for e in await _timeline_types(client, caseworker.headers, third["id"])
    }


async def test_same_phone_is_flagged(client, caseworker) -> None:
    older = await create_case(client, caseworker.headers, person(phone="081-234-5678"))
    newer = await create_case(client, caseworker.headers, person(phone="+66 81 234 5678"))
    assert [(d["candidate_id"], d["reasons"]) for d in newer["possible_duplicates"]] == [
        (older["id"], ["phone"])
    ]


async def test_similar_thai_name_in_the_same_district_is_flagged(client, caseworker) -> None:
    older = await create_case(
        client, caseworker.headers, person(first_name="นางสาว สมหญิง", last_name="ใจดี")
    )
    newer = await create_case(
        client, caseworker.headers, person(first_name="สมหญิง", last_name="ใจดี")
    )
    assert [(d["candidate_id"], d["reasons"]) for d in newer["possible_duplicates"]] == [
        (older["id"], ["name"])
    ]


async def test_several_reasons_are_reported_together(client, caseworker) -> None:
    older = await create_case(client, caseworker.headers, intake_body())
    newer = await create_case(client, caseworker.headers, intake_body())
    [link] = newer["possible_duplicates"]
    assert link["candidate_id"] == older["id"]
    assert link["reasons"] == ["id_number", "name", "phone"]


async def test_similar_name_in_another_district_is_not_flagged(client, caseworker) -> None:
    await create_case(client, caseworker.headers, person(first_name="สมหญิง", last_name="ใจดี"))
    elsewhere = person(first_name="สมหญิง", last_name="ใจดี")
    elsewhere["location"] = {
        "province_code": "10",
        "district_code": "1002",
        "subdistrict_code": "100201",
        "postal_code": "10300",
    }
    newer = await create_case(client, caseworker.headers, elsewhere)
    assert newer["possible_duplicates"] == []


async def test_closed_cases_are_not_flagged(client, session, volunteer, caseworker) -> None:
    older = await create_case(
        client, caseworker.headers, person(id_type="thai_id", id_number=VALID_THAI_ID)
    )
    closed = await move(
        client, caseworker.headers, older["id"], "closed", closure_reason="out_of_scope"
    )
    assert closed.status_code == 200, closed.text
    newer = await create_case(
        client, caseworker.headers, person(id_type="thai_id", id_number=VALID_THAI_ID)
    )
    assert newer["possible_duplicates"] == []
    assert (
        await session.execute(sa.select(sa.func.count()).select_from(DuplicateLink))
    ).scalar_one() == 0


async def _flagged_pair(
    client, headers, staff_headers
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Two cases about one phone, reported with `headers`; the link as staff see it."""
    older = await create_case(client, headers, person(phone="0812345678"))
    newer = await create_case(client, headers, person(phone="0812345678"))
    seen = (await client.get(f"{CASES}/{newer['id']}", headers=staff_headers)).json()
    [link] = seen["possible_duplicates"]
    return older, newer, link["id"]


async def test_confirming_a_duplicate_closes_the_newer_case(client, volunteer, caseworker) -> None:
    older, newer, link_id = await _flagged_pair(client, volunteer.headers, caseworker.headers)
    url = f"{CASES}/{newer['id']}/duplicates/{link_id}/confirm"
    missing = await client.post(url, headers=caseworker.headers)
    assert_problem(missing, 428)
    stale = await client.post(url, headers={**caseworker.headers, "If-Match": '"99"'})
    assert_problem(stale, 412)
    tag = await etag_of(client, caseworker.headers, newer["id"])
    response = await client.post(url, headers={**caseworker.headers, "If-Match": tag})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "closed"
    assert body["closure_reason"] == "duplicate"
    assert body["duplicate_of"] == older["id"]
    assert [d["status"] for d in body["possible_duplicates"]] == ["confirmed"]
    assert response.headers["etag"] == f'"{body["version"]}"'
    decided = (await _timeline_types(client, caseworker.headers, newer["id"]))[-1]
    assert decided["type"] == "duplicate_confirmed"
    assert decided["changes"]["status"] == ["new", "closed"]
    # Seen from the older case, the link names both cases by their own references.
    from_older = (await client.get(f"{CASES}/{older['id']}", headers=caseworker.headers)).json()
    [link] = from_older["possible_duplicates"]
    assert (link["case_reference"], link["candidate_reference"]) == (
        newer["reference"],
        older["reference"],
    )
    # The older case stays open; deciding again is a conflict.
    assert (await client.get(f"{CASES}/{older['id']}", headers=caseworker.headers)).json()[
        "status"
    ] == "new"
    tag = await etag_of(client, caseworker.headers, newer["id"])
    again = await client.post(url, headers={**caseworker.headers, "If-Match": tag})
    assert_problem(again, 409)


async def test_dismissing_a_duplicate_keeps_both_cases(
    client, session, volunteer, caseworker
) -> None:
    _, newer, link_id = await _flagged_pair(client, volunteer.headers, caseworker.headers)
    url = f"{CASES}/{newer['id']}/duplicates/{link_id}"
    response = await client.post(f"{url}/dismiss", headers=caseworker.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "new"
    assert [d["status"] for d in response.json()["possible_duplicates"]] == ["dismissed"]
    link = await session.get(DuplicateLink, uuid.UUID(link_id), populate_existing=True)
    assert link is not None
    assert link.status == "dismissed"
    assert link.decided_by_id == caseworker.user.id
    events = await _timeline_types(client, caseworker.headers, newer["id"])
    assert "duplicate_dismissed" in [e["type"] for e in events]
    assert_problem(await client.post(f"{url}/dismiss", headers=caseworker.headers), 409)
    tag = await etag_of(client, caseworker.headers, newer["id"])
    confirm = await client.post(f"{url}/confirm", headers={**caseworker.headers, "If-Match": tag})
    assert_problem(confirm, 409)


async def test_volunteers_may_not_decide_duplicates(client, session, volunteer, caseworker) -> None:
    _, newer, link_id = await _flagged_pair(client, volunteer.headers, caseworker.headers)
    url = f"{CASES}/{newer['id']}/duplicates/{link_id}"
    tag = await etag_of(client, volunteer.headers, newer["id"])
    assert_problem(
        await client.post(f"{url}/confirm", headers={**volunteer.headers, "If-Match": tag}), 403
    )
    assert_problem(await client.post(f"{url}/dismiss", headers=volunteer.headers), 403)
    link = await session.get(DuplicateLink, uuid.UUID(link_id), populate_existing=True)
    assert link is not None and link.status == "open"


async def test_unknown_link_is_404(client, volunteer, caseworker) -> None:
    _, newer, _ = await _flagged_pair(client, volunteer.headers, caseworker.headers)
    other = await create_case(client, volunteer.headers, person())
    url = f"{CASES}/{other['id']}/duplicates/{uuid.uuid4()}/dismiss"
    assert_problem(await client.post(url, headers=caseworker.headers), 404)
    # A link of another case is not reachable through this one.
    seen = (await client.get(f"{CASES}/{newer['id']}", headers=caseworker.headers)).json()
    link_id = seen["possible_duplicates"][0]["id"]
    url = f"{CASES}/{other['id']}/duplicates/{link_id}/dismiss"
    assert_problem(await client.post(url, headers=caseworker.headers), 404)


async def test_volunteers_never_see_possible_duplicates(client, volunteer, caseworker) -> None:
    """Matches point at cases a volunteer may not open: showing them would let anyone probe
    whether an id number or phone has an open case."""
    older = await create_case(client, caseworker.headers, intake_body())
    newer_response = await client.post(CASES, json=intake_body(), headers=volunteer.headers)
    assert newer_response.status_code == 201
    newer = newer_response.json()
    assert newer["possible_duplicates"] == []
    assert older["reference"] not in newer_response.text and older["id"] not in newer_response.text
    as_volunteer = (await client.get(f"{CASES}/{newer['id']}", headers=volunteer.headers)).json()
    assert as_volunteer["possible_duplicates"] == []
    timeline = await client.get(f"{CASES}/{newer['id']}/timeline", headers=volunteer.headers)
    # Not even the event's type: the timeline of a fresh client's case looks the same.
    assert [e["type"] for e in timeline.json()["items"]] == ["created"]
    assert older["id"] not in timeline.text
    # Staff see the match on the same case.
    as_staff = (await client.get(f"{CASES}/{newer['id']}", headers=caseworker.headers)).json()
    assert [d["candidate_id"] for d in as_staff["possible_duplicates"]] == [older["id"]]
    staff_timeline = await _timeline_types(client, caseworker.headers, newer["id"])
    assert [e["data"] for e in staff_timeline if e["type"] == "duplicate_flagged"] == [
        {"candidates": [older["id"]]}
    ]
