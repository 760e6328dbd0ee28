"""One 422 carries every problem of a request: the schema's own (a missing field, a bad shape)
together with the rules of intake (id check digits, phones, area codes, dates, the client's
cross-field rules), at intake and on `PATCH`, in Thai and in English."""

from __future__ import annotations

from typing import Any

import pytest

from models.enums import Role
from service.platform.messages import FIELD_TEXT, field_sentence
from tests.support.cases import CASES, VALID_THAI_ID, anonymous_body, create_case, intake_body

BAD_CHECK_DIGIT = VALID_THAI_ID[:-1] + "9"


def _entries(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["pointer"], e["type"]) for e in response.json()["errors"]]


@pytest.mark.parametrize("language", ["th", "en"])
async def test_a_missing_summary_and_a_bad_thai_id_come_in_one_answer(
    client, actors, language: str
) -> None:
    body = intake_body(client={"id_type": "thai_id", "id_number": BAD_CHECK_DIGIT})
    del body["summary"]
    response = await client.post(
        CASES, json=body, headers={**actors[Role.volunteer].headers, "Accept-Language": language}
    )
    assert _entries(response) == [
        ("/summary", "missing"),
        ("/client/id_number", "thai_id_check_digit"),
    ]
    assert response.headers["content-language"] == language
    for error in response.json()["errors"]:
        assert error["detail"] == FIELD_TEXT[error["type"]].in_language(language)
    assert BAD_CHECK_DIGIT not in response.text


async def test_a_thai_id_of_the_wrong_length_is_told_from_a_wrong_check_digit(
    client, actors
) -> None:
    headers = actors[Role.volunteer].headers
    short = await client.post(
        CASES, json=intake_body(client={"id_number": VALID_THAI_ID[:12]}), headers=headers
    )
    assert _entries(short) == [("/client/id_number", "thai_id")]
    wrong = await client.post(
        CASES, json=intake_body(client={"id_number": BAD_CHECK_DIGIT}), headers=headers
    )
    assert _entries(wrong) == [("/client/id_number", "thai_id_check_digit")]


async def test_schema_errors_and_every_rule_broken_are_reported_together(client, actors) -> None:
    body = intake_body(
        categories=[],
        client={
            "phone": "0812",
            "birth_year": None,
            "birth_date": "2999-01-01",
            "gender": "male",
            "pregnant": True,
            "nickname": "x" * 101,
        },
        reporter={"phone": "12345", "anonymous": True},
        location={"province_code": "97", "district_code": None, "subdistrict_code": None},
        consent={"data_collection": "refused", "basis": "consent"},
        recorded_at="2999-01-01T00:00:00+07:00",
    )
    body["location"].pop("postal_code")
    response = await client.post(
        CASES, json=body, headers={**actors[Role.volunteer].headers, "Accept-Language": "th"}
    )
    assert sorted(_entries(response)) == sorted(
        [
            ("/categories", "too_short"),
            ("/recorded_at", "future"),
            ("/client/nickname", "string_too_long"),
            ("/client/birth_date", "future"),
            ("/client/phone", "phone"),
            ("/client/pregnant", "consistency"),
            ("/reporter/phone", "phone"),
            ("/reporter/anonymous", "anonymous"),
            ("/location/province_code", "area"),
            ("/consent/basis", "basis"),
        ]
    )
    limits = {"min_length": 1, "max_length": 100}
    for error in response.json()["errors"]:
        assert error["detail"] == field_sentence(error["type"], "th", limits=limits)
    for sent in ("0812", "12345", "97", "2999"):
        assert sent not in response.text


async def test_area_codes_are_checked_inside_the_ones_sent_with_a_missing_summary(
    client, actors
) -> None:
    body = intake_body(location={"district_code": "5001", "subdistrict_code": None})
    del body["summary"]
    body["location"].pop("postal_code")
    response = await client.post(CASES, json=body, headers=actors[Role.volunteer].headers)
    assert _entries(response) == [("/summary", "missing"), ("/location/district_code", "area")]


@pytest.mark.parametrize("language", ["th", "en"])
async def test_a_patch_reports_its_schema_errors_with_its_rules(
    client, actors, language: str
) -> None:
    case = await create_case(client, actors[Role.volunteer].headers)
    headers = {
        **actors[Role.caseworker].headers,
        "If-Match": '"1"',
        "Accept-Language": language,
    }
    response = await client.patch(
        f"{CASES}/{case['id']}",
        json={
            "summary": None,
            "client": {
                "id_type": "thai_id",
                "id_number": BAD_CHECK_DIGIT,
                "phone": "0812",
                "birth_year": 2600,
                "gender": "male",
                "pregnant": True,
            },
            "location": {"district_code": "9999"},
            "consent": {"data_collection": None},
        },
        headers=headers,
    )
    assert sorted(_entries(response)) == sorted(
        [
            ("/summary", "null"),
            ("/client/id_number", "thai_id_check_digit"),
            ("/client/phone", "phone"),
            ("/client/birth_year", "future"),
            ("/client/pregnant", "consistency"),
            ("/location/district_code", "area"),
            ("/consent/data_collection", "null"),
        ]
    )
    for error in response.json()["errors"]:
        assert error["detail"] == FIELD_TEXT[error["type"]].in_language(language)
    unchanged = await client.get(f"{CASES}/{case['id']}", headers=actors[Role.caseworker].headers)
    assert unchanged.json()["version"] == 1


async def test_a_patch_checks_what_it_sends_against_what_the_case_keeps(client, actors) -> None:
    body = anonymous_body(client={"id_type": "passport", "gender": "male"})
    case = await create_case(client, actors[Role.volunteer].headers, body)
    response = await client.patch(
        f"{CASES}/{case['id']}",
        json={
            "client": {"id_number": "A1", "pregnant": True},
            "location": {"district_code": "5001"},
        },
        headers={**actors[Role.caseworker].headers, "If-Match": '"1"'},
    )
    # The passport shape, the kept male gender and the kept province come from the case.
    assert sorted(_entries(response)) == sorted(
        [
            ("/client/id_number", "passport"),
            ("/client/pregnant", "consistency"),
            ("/location/district_code", "area"),
        ]
    )
