"""Intake checks without a database: ids, phones, Buddhist Era dates, areas, derived values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from models.case import CaseCreate
from models.enums import IdType, LegalBasis, TargetGroup, Urgency
from service.cases.client_fields import (
    client_age,
    name_keys,
    read_birth_date,
    read_birth_year,
    read_id_number,
    read_phone,
    target_groups,
)
from service.cases.intake import check_intake
from service.platform.errors import json_pointer
from tests.support.cases import VALID_THAI_ID, intake_body

# 2026-06-15 10:00 in Bangkok.
NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)
STATELESS_ID = "0123456789016"  # starts with 0, correct check digit


def _validated(**changes: Any) -> CaseCreate:
    """The intake as the schema reads it at NOW."""
    return CaseCreate.model_validate(intake_body(**changes), context={"now": NOW})


def _check(**changes: Any):
    return check_intake(_validated(**changes), now=NOW)


def _errors(**changes: Any) -> list[dict[str, str]]:
    """The schema's problems, as the answer's pointers and types."""
    with pytest.raises(ValidationError) as caught:
        _validated(**changes)
    return [
        {"pointer": json_pointer(e["loc"]), "type": e["type"], "detail": e["msg"]}
        for e in caught.value.errors()
    ]


def _pointers(**changes: Any) -> list[str]:
    return [e["pointer"] for e in _errors(**changes)]


# --------------------------------------------------------------------------- ids


def test_valid_intake_normalises_every_column() -> None:
    columns = _check().columns
    assert columns["client_phone"] == "+66812345678"
    assert columns["reporter_phone"] == "+66891234567"
    assert columns["client_birth_year"] == 1947
    assert columns["urgency"] is Urgency.high
    assert columns["suggested_urgency"] is Urgency.high
    assert columns["legal_basis"] is LegalBasis.consent
    assert columns["client_id_last4"] == "0708"
    assert columns["target_groups"] == ["older_person"]
    assert columns["categories"] == ["older_person", "income_livelihood"]
    assert columns["client_name_key"] == "สมศรีใจดี"
    # The id number itself is never a plain column.
    assert VALID_THAI_ID not in {str(v) for v in columns.values()}


@pytest.mark.parametrize(
    "raw",
    [VALID_THAI_ID, "1-1017-00230-70-8", " 1 1017 00230 70 8 ", "๑๑๐๑๗๐๐๒๓๐๗๐๘"],
)
def test_thai_id_is_normalised_to_thirteen_digits(raw: str) -> None:
    errors: list[dict[str, str]] = []
    identity = read_id_number(IdType.thai_id, raw, "/client/id_number", errors)
    assert errors == []
    assert identity is not None
    assert (identity.number, identity.last4) == (VALID_THAI_ID, "0708")


@pytest.mark.parametrize(
    "raw",
    [
        "1101700230709",  # wrong check digit
        "110170023070",  # 12 digits
        "11017002307088",  # 14 digits
        "11017OO230708",  # letters
        "abcdefghijklm",
    ],
)
def test_bad_thai_ids_point_at_the_id_number(raw: str) -> None:
    errors = _errors(client={"id_type": "thai_id", "id_number": raw})
    kind = "thai_id_check_digit" if raw == "1101700230709" else "thai_id"
    assert [(e["pointer"], e["type"]) for e in errors] == [("/client/id_number", kind)]


def test_zero_prefixed_id_of_a_stateless_person_is_valid() -> None:
    normalised = _check(client={"id_type": "non_thai_id", "id_number": STATELESS_ID})
    assert normalised.identity is not None
    assert normalised.identity.number == STATELESS_ID
    normalised = _check(client={"id_type": "thai_id", "id_number": STATELESS_ID})
    assert normalised.identity is not None


@pytest.mark.parametrize("id_type", ["none", "unknown"])
def test_id_number_needs_an_id_type_that_has_numbers(id_type: str) -> None:
    errors = _errors(client={"id_type": id_type, "id_number": VALID_THAI_ID})
    assert [(e["pointer"], e["type"]) for e in errors] == [("/client/id_number", "id_type")]


@pytest.mark.parametrize("id_type", ["none", "unknown"])
def test_no_id_number_is_fine_without_an_id_type(id_type: str) -> None:
    normalised = _check(client={"id_type": id_type, "id_number": None})
    assert normalised.identity is None
    assert normalised.columns["client_id_last4"] is None


def test_passport_is_upper_cased_and_checked() -> None:
    normalised = _check(client={"id_type": "passport", "id_number": "aa 1234-567"})
    assert normalised.identity is not None
    assert normalised.identity.number == "AA1234567"
    assert normalised.identity.last4 == "4567"
    for bad in ("AB1", "AB#12345", "A" * 21):
        errors = _errors(client={"id_type": "passport", "id_number": bad})
        assert [(e["pointer"], e["type"]) for e in errors] == [("/client/id_number", "passport")]


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("081-234-5678", "+66812345678"),
        ("0812345678", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("02 123 4567", "+6621234567"),
    ],
)
def test_phones_become_e164(raw: str, e164: str) -> None:
    errors: list[dict[str, str]] = []
    assert read_phone(raw, "/client/phone", errors) == e164
    assert errors == []


def test_bad_phones_point_at_their_field() -> None:
    assert _pointers(client={"phone": "12345"}) == ["/client/phone"]
    assert _pointers(reporter={"phone": "not a phone"}) == ["/reporter/phone"]
    assert read_phone(None, "/client/phone", []) is None
    assert read_phone("", "/client/phone", []) is None


# --------------------------------------------------------------------------- dates


def test_buddhist_era_birth_year_is_converted() -> None:
    assert _check(client={"birth_year": 2530}).columns["client_birth_year"] == 1987
    assert _check(client={"birth_year": 1987}).columns["client_birth_year"] == 1987
    assert read_birth_year(2569, TODAY, "/client/birth_year", []) == 2026


def test_buddhist_era_birth_date_is_converted() -> None:
    columns = _check(client={"birth_year": None, "birth_date": "2530-05-12"}).columns
    assert columns["client_birth_date"] == date(1987, 5, 12)


def test_buddhist_era_leap_day_is_a_real_day() -> None:
    # 2567 BE is 2024 CE, a leap year, although 2567 itself is not divisible by four.
    columns = _check(client={"birth_year": None, "birth_date": "2567-02-29"}).columns
    assert columns["client_birth_date"] == date(2024, 2, 29)
    errors: list[dict[str, str]] = []
    assert read_birth_date("2568-02-29", TODAY, "/client/birth_date", errors) is None
    assert [e["pointer"] for e in errors] == ["/client/birth_date"]


def test_birth_date_and_year_in_the_future_are_refused() -> None:
    assert _pointers(client={"birth_year": None, "birth_date": "2026-06-16"}) == [
        "/client/birth_date"
    ]
    # Buddhist Era 2570 is 2027.
    assert _pointers(client={"birth_year": None, "birth_date": "2570-01-01"}) == [
        "/client/birth_date"
    ]
    assert _pointers(client={"birth_year": 2027}) == ["/client/birth_year"]
    assert _pointers(client={"birth_year": 2570}) == ["/client/birth_year"]
    # Today is fine.
    assert _check(client={"birth_year": None, "birth_date": "2026-06-15"}).columns[
        "client_birth_date"
    ] == date(2026, 6, 15)


def test_birth_year_more_than_130_years_ago_is_refused() -> None:
    errors: list[dict[str, str]] = []
    assert read_birth_year(1890, TODAY, "/client/birth_year", errors) is None
    assert errors[0]["type"] == "range"


def test_recorded_at_defaults_to_now_and_may_be_earlier() -> None:
    assert _check().columns["recorded_at"] == NOW
    earlier = "2026-06-15T06:00:00+07:00"
    assert _check(recorded_at=earlier).columns["recorded_at"] == datetime(
        2026, 6, 14, 23, 0, tzinfo=UTC
    )


def test_recorded_at_in_buddhist_era_is_converted() -> None:
    recorded = _check(recorded_at="2569-06-15T08:30:00+07:00").columns["recorded_at"]
    assert recorded == datetime(2026, 6, 15, 8, 30, tzinfo=timezone(timedelta(hours=7)))


def test_recorded_at_in_the_future_is_refused() -> None:
    assert _pointers(recorded_at="2026-06-15T04:00:00Z") == ["/recorded_at"]
    assert _pointers(recorded_at="2570-01-01T00:00:00+07:00") == ["/recorded_at"]
    # A phone clock a little ahead is tolerated.
    assert _check(recorded_at="2026-06-15T03:04:00Z").columns["recorded_at"] > NOW


def test_naive_recorded_at_is_refused_by_the_schema() -> None:
    with pytest.raises(ValidationError) as caught:
        CaseCreate.model_validate(intake_body(recorded_at="2026-06-15T08:00:00"))
    assert [e["loc"] for e in caught.value.errors()] == [("recorded_at",)]


# --------------------------------------------------------------------------- areas


@pytest.mark.parametrize(
    ("location", "pointer"),
    [
        ({"province_code": "99", "district_code": None, "subdistrict_code": None}, "province_code"),
        ({"district_code": "5001", "subdistrict_code": None}, "district_code"),
        ({"subdistrict_code": "100201", "postal_code": None}, "subdistrict_code"),
        ({"postal_code": "10300"}, "postal_code"),
    ],
)
def test_area_codes_must_nest(location: dict[str, Any], pointer: str) -> None:
    base = {"province_code": "10", "district_code": "1001", "subdistrict_code": "100101"}
    body_location = {**base, "postal_code": "10200", **location}
    assert _pointers(location=body_location) == [f"/location/{pointer}"]


def test_areas_that_nest_are_accepted() -> None:
    columns = _check(
        location={
            "province_code": "10",
            "district_code": "1002",
            "subdistrict_code": "100201",
            "postal_code": "10300",
        }
    ).columns
    assert (columns["district_code"], columns["postal_code"]) == ("1002", "10300")


# --------------------------------------------------------------------------- schema limits


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"status": "closed"}, ("status",)),
        ({"lead": "00000000-0000-0000-0000-000000000000"}, ("lead",)),
        ({"created_by": "00000000-0000-0000-0000-000000000000"}, ("created_by",)),
        ({"reference": "OS-2569-000001"}, ("reference",)),
        ({"client": {"foo": 1}}, ("client", "foo")),
        ({"location": {"province": "10"}}, ("location", "province")),
        ({"summary": "x" * 4001}, ("summary",)),
        ({"categories": []}, ("categories",)),
        ({"categories": ["no_such_category"]}, ("categories", 0)),
        ({"categories": ["other"] * 11}, ("categories",)),
    ],
)
def test_schema_refuses_unknown_fields_and_oversized_values(
    changes: dict[str, Any], loc: tuple[Any, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        CaseCreate.model_validate(intake_body(**changes))
    assert [e["loc"] for e in caught.value.errors()] == [loc]


def test_summary_of_exactly_4000_characters_is_accepted() -> None:
    assert len(_check(summary="ก" * 4000).columns["summary"]) == 4000


# --------------------------------------------------------------------------- reporter, consent


def test_anonymous_reporter_gives_no_name() -> None:
    assert _pointers(reporter={"anonymous": True}) == ["/reporter/anonymous"]
    columns = _check(reporter={"anonymous": True, "name": None, "phone": None}).columns
    assert columns["reporter_anonymous"] is True


def test_consent_basis_needs_consent_given() -> None:
    errors = _errors(consent={"data_collection": "refused", "basis": "consent"})
    assert [(e["pointer"], e["type"]) for e in errors] == [("/consent/basis", "basis")]
    columns = _check(consent={"data_collection": "refused", "basis": "vital_interest"}).columns
    assert columns["legal_basis"] is LegalBasis.vital_interest


def test_consent_basis_defaults_to_consent_only_when_given() -> None:
    assert _check(consent={"data_collection": "given"}).columns["legal_basis"] is (
        LegalBasis.consent
    )
    assert _check(consent={"data_collection": "not_possible"}).columns["legal_basis"] is None


def test_every_problem_is_reported_at_once() -> None:
    errors = _errors(
        client={"id_number": "1101700230709", "phone": "123", "birth_year": 2600},
        reporter={"phone": "x", "anonymous": True},
        location={"district_code": "5001"},
        consent={"data_collection": "refused", "basis": "consent"},
        recorded_at="2030-01-01T00:00:00Z",
    )
    assert sorted(e["pointer"] for e in errors) == sorted(
        [
            "/client/id_number",
            "/client/phone",
            "/reporter/phone",
            "/client/birth_year",
            "/recorded_at",
            "/location/district_code",
            "/reporter/anonymous",
            "/consent/basis",
        ]
    )
    # Problems never echo what was sent.
    assert all("1101700230709" not in e["detail"] for e in errors)


# --------------------------------------------------------------------------- derived values


def test_immediate_danger_forces_critical_and_keeps_the_suggestion() -> None:
    columns = _check(immediate_danger=True, urgency="low").columns
    assert (columns["urgency"], columns["suggested_urgency"]) == (Urgency.critical, Urgency.low)
    columns = _check(urgency=None).columns
    assert (columns["urgency"], columns["suggested_urgency"]) == (Urgency.normal, None)


def test_repeated_categories_are_kept_once_in_order() -> None:
    columns = _check(categories=["housing", "other", "housing"]).columns
    assert columns["categories"] == ["housing", "other"]


@pytest.mark.parametrize(
    ("client", "groups"),
    [
        ({"birth_year": None, "birth_date": "2015-01-01"}, [TargetGroup.child]),
        ({"birth_year": None, "birth_date": "2008-06-16"}, [TargetGroup.child]),
        ({"birth_year": None, "birth_date": "2008-06-15"}, [TargetGroup.youth]),
        ({"birth_year": 2543}, []),  # 2000 CE: 26 this year, past youth
        ({"birth_year": 2545}, [TargetGroup.youth]),  # 2002 CE
        ({"birth_year": 2500}, [TargetGroup.older_person]),  # 1957 CE
        ({"birth_year": None, "age_estimate": 70}, [TargetGroup.older_person]),
        ({"birth_year": 1980, "disability": True}, [TargetGroup.disability]),
        (
            {"birth_year": None, "age_estimate": 16, "pregnant": True},
            [TargetGroup.child, TargetGroup.pregnancy],
        ),
    ],
)
def test_target_groups_are_derived(client: dict[str, Any], groups: list[TargetGroup]) -> None:
    assert _check(client=client).columns["target_groups"] == [g.value for g in groups]


def test_target_group_helpers() -> None:
    assert client_age(date(2000, 6, 16), 1990, 5, TODAY) == 25
    assert client_age(None, 1990, 5, TODAY) == 36
    assert client_age(None, None, 5, TODAY) == 5
    assert client_age(None, None, None, TODAY) is None
    assert target_groups(
        birth_date=None,
        birth_year=None,
        age_estimate=None,
        disability=False,
        pregnant=True,
        today=TODAY,
    ) == ["pregnancy"]


def test_name_keys_drop_titles_and_spaces() -> None:
    thai = name_keys("นางสาว สมหญิง", "ใจดี")
    assert (thai["client_name_key"], thai["client_last_name_key"]) == ("สมหญิงใจดี", "ใจดี")
    latin = name_keys("Mr. John", None)
    assert (latin["client_name_key"], latin["client_last_name_key"]) == ("john", None)
    assert set(name_keys(None, None).values()) == {None}


def test_name_keys_carry_each_parts_sound_and_skeleton() -> None:
    keys = name_keys("นางสาว สมหญิง", "ใจดีย์")
    assert keys["client_first_sound"] == name_keys("สมหญิง", None)["client_first_sound"]
    assert keys["client_last_sound"] == name_keys(None, "ใจดี")["client_last_sound"]
    assert keys["client_first_skeleton"] == name_keys("Somying", None)["client_first_skeleton"]
    assert keys["client_last_skeleton"] == name_keys(None, "Jaidee")["client_last_skeleton"]
    assert name_keys("John", "Smith")["client_first_sound"] is None
