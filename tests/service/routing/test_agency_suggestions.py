"""Agency suggestions for a case over the demo directory: one statement while the directory a
process keeps is current."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models.base import utcnow
from models.case import Case
from models.enums import AgencyFilterReason, AgencyReason, Urgency
from models.hsds import AgencySuggestions
from service.routing.agency_suggestions import case_needs, suggest_agencies
from service.routing.hsds import import_directory
from tests.service.routing.test_agency_directory import Statements
from tests.service.routing.test_hsds import DEMO

SHELTER = "บ้านพักเด็กและครอบครัวจังหวัดเชียงใหม่"
OSCC = "ศูนย์พึ่งได้ (OSCC)"


async def _suggested(session: AsyncSession, *, case: Case, limit: int) -> AgencySuggestions:
    """The suggestions as their model reads them; the service renders the JSON document
    directly, which must be exactly what the model describes."""
    document = await suggest_agencies(session, case=case, now=utcnow(), limit=limit)
    answer = AgencySuggestions.model_validate(document)
    # As the route renders it (`JSONResponse`): the model's JSON byte for byte.
    rendered = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert rendered == answer.model_dump_json()
    return answer


def _case(**fields: Any) -> Case:
    values: dict[str, Any] = {
        "categories": ["family_violence", "child_youth"],
        "target_groups": ["child"],
        "province_code": "50",
        "district_code": "5001",
        "subdistrict_code": "500108",
        "client_birth_date": None,
        "client_birth_year": None,
        "client_age_estimate": 12,
        "client_languages": ["th"],
        "urgency": Urgency.high,
    }
    values.update(fields)
    return Case(**values)


async def _with_demo_directory(session: AsyncSession) -> None:
    await import_directory(session, text=DEMO.read_text(encoding="utf-8"), now=utcnow())


async def test_a_child_in_chiang_mai_gets_the_shelter_and_the_crisis_centre_first(
    session: AsyncSession,
) -> None:
    await _with_demo_directory(session)

    answer = await _suggested(session, case=_case(), limit=5)

    names = [(c.organization_name, c.service_name) for c in answer.candidates]
    assert {names[0][0], names[1][1]} == {SHELTER, OSCC} or {names[0][1], names[1][0]} == {
        SHELTER,
        OSCC,
    }
    shelter = next(c for c in answer.candidates if c.organization_name == SHELTER)
    codes = {r.code for r in shelter.reasons}
    assert {AgencyReason.province, AgencyReason.category, AgencyReason.has_room} <= codes
    assert shelter.capacity_available == 4
    assert shelter.response_deadline_hours == 8  # its own deadline for a high-urgency case
    assert answer.filtered[AgencyFilterReason.inactive] == 1
    assert answer.filtered[AgencyFilterReason.not_accepting_referrals] == 1
    # The subdistrict's elderly care covers the case's area but takes people over 60.
    assert answer.filtered[AgencyFilterReason.age_outside_range] == 1
    assert answer.filtered[AgencyFilterReason.outside_area] >= 5
    total = sum(answer.filtered.values()) + len(
        (await _suggested(session, case=_case(), limit=100)).candidates
    )
    assert total == 17


async def test_a_full_shelter_ranks_below_an_otherwise_identical_one_with_room(
    session: AsyncSession,
) -> None:
    document = json.loads(DEMO.read_text(encoding="utf-8"))
    full = next(
        o for o in document["organizations"] if o["alternate_name"].startswith("Bangkok Home")
    )
    twin = _renumbered(copy.deepcopy(full))
    twin["name"] = full["name"] + " (สาขา 2)"
    twin["services"][0]["organization_id"] = twin["id"]
    twin["services"][0]["capacities"][0]["available"] = 5
    document["organizations"].append(twin)
    await import_directory(session, text=json.dumps(document), now=utcnow())
    case = _case(province_code="10", district_code="1007", subdistrict_code=None)

    answer = await _suggested(session, case=case, limit=20)

    first, second = answer.candidates[:2]
    assert (first.organization_name, second.organization_name) == (twin["name"], full["name"])
    assert AgencyReason.full in {r.code for r in second.reasons}
    assert first.score > second.score


def _renumbered(value: Any) -> Any:
    """The same objects under new ids."""
    if isinstance(value, dict):
        return {k: str(uuid.uuid4()) if k == "id" else _renumbered(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_renumbered(item) for item in value]
    return value


async def test_a_case_abroad_gets_services_for_people_abroad_first(
    session: AsyncSession,
) -> None:
    await _with_demo_directory(session)
    case = _case(
        categories=["human_trafficking"],
        target_groups=[],
        client_age_estimate=24,
        province_code="57",
        district_code=None,
        subdistrict_code=None,
    )
    object.__setattr__(case, "country_code", "JP")

    answer = await _suggested(session, case=case, limit=10)

    top = answer.candidates[:3]
    assert all(AgencyReason.abroad in {r.code for r in c.reasons} for c in top)
    # Then the missing-persons service, which covers all of Thailand.
    (last,) = answer.candidates[3:]
    assert last.reasons[0].code is AgencyReason.nationwide


def test_needs_come_from_the_case_row() -> None:
    today = date(2026, 11, 30)
    case = _case(client_age_estimate=None, client_birth_year=1950, client_languages=["MY-mm"])
    needs = case_needs(case, now=utcnow().replace(year=today.year, month=11, day=30))
    assert needs.client_age == 76
    assert needs.languages == frozenset({"my"})
    assert needs.country_code == "TH"
    assert needs.urgency is Urgency.high


async def test_suggestions_read_the_directory_once_then_only_its_stamp(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    await _with_demo_directory(session)
    await session.commit()

    with Statements(engine) as statements:
        first = await _suggested(session, case=_case(), limit=10)
        assert len(statements) == 2, statements  # the stamp, then every service
        second = await _suggested(session, case=_case(), limit=10)
    assert len(statements) == 3, statements  # then the stamp alone
    assert second == first
