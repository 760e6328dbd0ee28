"""The demo cases file: what it holds, and how a malformed entry is refused when loading."""

from __future__ import annotations

import copy
import json
import re
import uuid
from typing import Any

import pytest

from models.base import utcnow
from models.enums import (
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    IdType,
    ReporterRelationship,
    Role,
    Urgency,
)
from service.cases.intake import check_intake
from service.demo.cases import (
    DATA_FILE,
    DemoDataError,
    demo_cases,
    demo_intake,
    demo_location,
    parse_demo_cases,
)
from service.thai.areas import check_location
from service.thai.ids import is_valid_thai_id

DEMO_CASES = demo_cases()
SEEDED_STATUSES = {s for s in CaseStatus if s is not CaseStatus.referred}


def test_the_demo_cases_cover_what_a_center_sees() -> None:
    assert len(DEMO_CASES) == 51
    assert len({spec.key for spec in DEMO_CASES}) == len(DEMO_CASES)
    assert {c for spec in DEMO_CASES for c in spec.categories} == set(Category)
    assert {spec.ends for spec in DEMO_CASES} == SEEDED_STATUSES
    assert {spec.channel for spec in DEMO_CASES} == set(Channel)
    assert {spec.decided_urgency for spec in DEMO_CASES} == set(Urgency)
    relationships = {spec.reporter["relationship"] for spec in DEMO_CASES}
    assert relationships == {r.value for r in ReporterRelationship}
    closures = {spec.closure for spec in DEMO_CASES if spec.ends is CaseStatus.closed}
    assert closures == set(ClosureReason)
    id_types = {spec.client.get("id_type", "unknown") for spec in DEMO_CASES}
    assert id_types == {t.value for t in IdType}
    assert len({spec.area[:2] for spec in DEMO_CASES if spec.area}) == 15
    # A Thai woman held abroad, reported by her sister at home.
    abroad = [spec for spec in DEMO_CASES if spec.area is None]
    assert [(spec.country, spec.client.get("home_province_code")) for spec in abroad] == [
        ("MY", "41")
    ]
    assert any(spec.client.get("birth_year", 0) >= 2400 for spec in DEMO_CASES)
    assert any(spec.client.get("birth_date", "0").startswith("25") for spec in DEMO_CASES)
    assert any(spec.reporter.get("anonymous") for spec in DEMO_CASES)
    assert sum(1 for spec in DEMO_CASES if spec.reopen is not None) == 1
    thai_script = re.compile("[\u0e00-\u0e7f]")
    assert all(thai_script.search(spec.summary) for spec in DEMO_CASES)


def test_the_volunteer_reports_cases_that_staff_lead() -> None:
    # No service makes a volunteer a lead until offers exist, so no demo case claims one.
    assert {spec.lead for spec in DEMO_CASES} == {Role.caseworker, Role.supervisor}
    reported = [spec for spec in DEMO_CASES if spec.reported_by is Role.volunteer]
    taken_on = [
        spec
        for spec in reported
        if spec.ends not in (CaseStatus.new, CaseStatus.screened)
        and spec.closure not in (ClosureReason.duplicate, ClosureReason.out_of_scope)
    ]
    # The README's "Demo accounts" section gives these numbers.
    assert (len(reported), len(taken_on)) == (13, 10)
    assert {spec.lead for spec in taken_on} == {Role.caseworker}
    critical_leads = {s.lead for s in DEMO_CASES if s.decided_urgency is Urgency.critical}
    assert Role.supervisor in critical_leads


def test_thai_ids_carry_a_valid_check_digit() -> None:
    numbers = [
        spec.client["id_number"]
        for spec in DEMO_CASES
        if spec.client.get("id_type") in ("thai_id", "non_thai_id")
    ]
    assert len(numbers) >= 20
    assert all(is_valid_thai_id(number) for number in numbers)
    assert any(number.startswith("0") for number in numbers)


def test_every_area_is_a_valid_official_one() -> None:
    for spec in DEMO_CASES:
        if spec.area is None:
            continue
        location = demo_location(spec.area)
        assert (
            check_location(
                location["province_code"],
                location.get("district_code"),
                location.get("subdistrict_code"),
                location.get("postal_code"),
            )
            == []
        ), spec.key
    assert demo_location("100101") == {
        "province_code": "10",
        "district_code": "1001",
        "subdistrict_code": "100101",
        "postal_code": "10200",
    }
    with pytest.raises(ValueError):
        demo_location("999999")


def test_every_intake_passes_validation() -> None:
    now = utcnow()
    for spec in DEMO_CASES:
        check_intake(demo_intake(spec, recorded_at=now), now=now)


def test_client_references_are_stable() -> None:
    spec = DEMO_CASES[0]
    assert spec.client_reference == uuid.uuid5(
        uuid.UUID("6f1d7c1e-3b0a-4c59-9a43-0f5e2d8b7a10"), spec.key
    )


def test_the_file_is_readable_utf8_json_with_thai_text_unescaped() -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    assert "\\u0e" not in text
    assert [entry["key"] for entry in json.loads(text)] == [spec.key for spec in DEMO_CASES]


# --------------------------------------------------------------------------- malformed entries


def _entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return copy.deepcopy(entries)


def _with(number: int, **changes: Any) -> str:
    """The shipped file with entry `number` (1-based) changed; a value of None drops a field."""
    entries = _entries()
    for name, value in changes.items():
        if value is None:
            entries[number - 1].pop(name, None)
        else:
            entries[number - 1][name] = value
    return json.dumps(entries, ensure_ascii=False)


def test_the_shipped_text_parses_to_the_same_cases() -> None:
    assert parse_demo_cases(_with(1)) == DEMO_CASES


@pytest.mark.parametrize(
    ("number", "changes", "message"),
    [
        (3, {"colour": "red"}, "/colour: Extra inputs are not permitted"),
        (3, {"summary": None}, "/summary: Field required"),
        (3, {"categories": ["not_a_category"]}, "/categories/0:"),
        (3, {"ends": "archived"}, "/ends:"),
        (3, {"area": "999999"}, "/area: unknown subdistrict 999999"),
        (3, {"lead": "volunteer"}, "lead: until offers exist only a caseworker or supervisor"),
        (3, {"reported_by": "agency"}, "reported_by: only volunteers, caseworkers"),
        (3, {"closure": "resolved"}, "closure: a closed case has a closure reason"),
        (3, {"reopen": {"reason": "x", "note": "y"}}, "reopen: a reopened case ends in_progress"),
        (3, {"client": {"gender": "female", "phone": "12"}}, "/client/phone:"),
        (3, {"client": {"gender": "female", "birth_year": 2999}}, "/client/birth_year:"),
    ],
)
def test_a_malformed_entry_is_refused_by_number_and_key(
    number: int, changes: dict[str, Any], message: str
) -> None:
    key = _entries()[number - 1]["key"]
    with pytest.raises(DemoDataError) as refused:
        parse_demo_cases(_with(number, **changes))
    assert str(refused.value).startswith(f"cases.json, entry {number} ({key!r}): ")
    assert message in str(refused.value)


def test_a_key_used_twice_is_refused() -> None:
    entries = _entries()
    entries[4]["key"] = entries[1]["key"]
    with pytest.raises(DemoDataError, match=r"entry 5 .*: the key is used twice"):
        parse_demo_cases(json.dumps(entries, ensure_ascii=False))


def test_a_duplicate_must_name_an_older_demo_case() -> None:
    entries = _entries()
    number, repeat = next(
        (n, e) for n, e in enumerate(entries, start=1) if e.get("duplicate_of") is not None
    )
    repeat["duplicate_of"] = "no-such-case"
    with pytest.raises(DemoDataError, match=rf"entry {number} .*'no-such-case' is not an older"):
        parse_demo_cases(json.dumps(entries, ensure_ascii=False))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[{", "cases.json: not JSON"),
        ("{}", "cases.json: expected a non-empty list"),
        ("[]", "cases.json: expected a non-empty list"),
        ('["a case"]', "cases.json, entry 1: "),
    ],
)
def test_a_file_that_is_not_a_list_of_cases_is_refused(text: str, message: str) -> None:
    with pytest.raises(DemoDataError) as refused:
        parse_demo_cases(text)
    assert str(refused.value).startswith(message)
