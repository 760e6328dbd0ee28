"""Ranking agency services for a case: filters, points and order, by example and by property."""

from __future__ import annotations

import dataclasses
import uuid

from hypothesis import given
from hypothesis import strategies as st

from models.enums import AgencyFilterReason, AgencyReason, ServiceStatus
from service.routing.agency_directory import build_directory
from service.routing.agency_ranking import (
    AgencyService,
    CaseNeeds,
    area_match,
    rank_agencies,
    rank_covering,
)

BANGKOK, PATHUM_WAN, LUMPHINI = "10", "1007", "100701"
CHIANG_MAI, MUEANG_CHIANG_MAI = "50", "5001"


def _service(name: str = "Shelter", **fields: object) -> AgencyService:
    values: dict[str, object] = {
        "service_id": uuid.uuid4(),
        "organization_id": uuid.uuid4(),
        "organization_name": "Org",
        "name": name,
        "categories": frozenset({"family_violence"}),
        "area_codes": frozenset({BANGKOK}),
    }
    values.update(fields)
    return AgencyService(**values)  # type: ignore[arg-type]


NEEDS = CaseNeeds(
    categories=frozenset({"family_violence"}),
    province_code=BANGKOK,
    district_code=PATHUM_WAN,
    subdistrict_code=LUMPHINI,
)


def _codes(ranking_item: object) -> list[AgencyReason]:
    return [r.code for r in ranking_item.reasons]  # type: ignore[attr-defined]


def test_ineligible_services_are_filtered_and_counted_by_their_first_reason() -> None:
    services = [
        _service("closed", status=ServiceStatus.inactive, accepts_referrals=False),
        _service("defunct", status=ServiceStatus.defunct),
        _service("no referrals", accepts_referrals=False),
        _service("elsewhere", area_codes=frozenset({CHIANG_MAI})),
        _service("adults only", minimum_age=18),
        _service("fits"),
    ]
    needs = dataclasses.replace(NEEDS, client_age=12)

    ranking = rank_agencies(needs, services, limit=10)

    assert [r.service.name for r in ranking.ranked] == ["fits"]
    assert ranking.filtered == {
        AgencyFilterReason.inactive: 2,
        AgencyFilterReason.not_accepting_referrals: 1,
        AgencyFilterReason.outside_area: 1,
        AgencyFilterReason.age_outside_range: 1,
    }


def test_closer_areas_score_more_down_to_nationwide() -> None:
    services = [
        _service("nationwide", area_codes=frozenset({"TH"})),
        _service("province", area_codes=frozenset({BANGKOK})),
        _service("district", area_codes=frozenset({PATHUM_WAN})),
        _service("subdistrict", area_codes=frozenset({LUMPHINI})),
    ]
    ranking = rank_agencies(NEEDS, services, limit=10)
    assert [r.service.name for r in ranking.ranked] == [
        "subdistrict",
        "district",
        "province",
        "nationwide",
    ]
    assert [_codes(r)[0] for r in ranking.ranked] == [
        AgencyReason.subdistrict,
        AgencyReason.district,
        AgencyReason.province,
        AgencyReason.nationwide,
    ]


def test_a_case_abroad_ranks_services_for_people_abroad_first() -> None:
    needs = dataclasses.replace(
        NEEDS, country_code="MY", province_code=CHIANG_MAI, district_code=None
    )
    services = [
        _service("home province", area_codes=frozenset({CHIANG_MAI})),
        _service("consular", area_codes=frozenset(), serves_abroad=True),
        _service("malaysia", area_codes=frozenset({"MY"})),
        _service("japan", area_codes=frozenset({"JP"})),
        _service("bangkok", area_codes=frozenset({BANGKOK})),
    ]
    ranking = rank_agencies(needs, services, limit=10)
    assert [r.service.name for r in ranking.ranked] == ["consular", "malaysia", "home province"]
    assert ranking.filtered[AgencyFilterReason.outside_area] == 2


def test_a_service_for_people_abroad_is_not_a_match_at_home() -> None:
    consular = _service("consular", area_codes=frozenset(), serves_abroad=True)
    assert area_match(NEEDS, consular) is None


def test_points_for_categories_groups_age_language_and_room() -> None:
    needs = dataclasses.replace(
        NEEDS,
        categories=frozenset({"family_violence", "child_youth"}),
        target_groups=frozenset({"child"}),
        client_age=9,
        languages=frozenset({"my"}),
    )
    service = _service(
        categories=frozenset({"family_violence", "child_youth", "housing"}),
        target_groups=frozenset({"child", "pregnancy"}),
        maximum_age=17,
        languages=frozenset({"th", "my"}),
        capacity_available=3,
    )
    (ranked,) = rank_agencies(needs, [service], limit=10).ranked
    assert {r.code: r.points for r in ranked.reasons} == {
        AgencyReason.province: 20,
        AgencyReason.category: 30,
        AgencyReason.more_categories: 5,
        AgencyReason.target_group: 10,
        AgencyReason.age_eligible: 5,
        AgencyReason.language: 10,
        AgencyReason.has_room: 15,
    }
    assert ranked.score == 95


def test_limit_keeps_the_best_and_ties_go_by_organization_then_service_name() -> None:
    services = [
        _service("b", organization_name="Beta"),
        _service("a", organization_name="Beta"),
        _service("z", organization_name="Alpha"),
    ]
    ranking = rank_agencies(NEEDS, services, limit=2)
    assert [(r.service.organization_name, r.service.name) for r in ranking.ranked] == [
        ("Alpha", "z"),
        ("Beta", "a"),
    ]


# --------------------------------------------------------------------------- properties

CODES = [BANGKOK, PATHUM_WAN, LUMPHINI, CHIANG_MAI, MUEANG_CHIANG_MAI, "TH", "MY"]
CATEGORIES = ["family_violence", "child_youth", "housing", "older_person"]
GROUPS = ["child", "youth", "older_person", "disability", "pregnancy"]
LANGUAGES = ["th", "en", "my"]


def _subset(values: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values))


ages = st.none() | st.integers(min_value=0, max_value=100)

services_strategy = st.builds(
    AgencyService,
    service_id=st.uuids(),
    organization_id=st.uuids(),
    organization_name=st.sampled_from(["A", "B", "C"]),
    name=st.sampled_from(["x", "y"]),
    status=st.sampled_from(list(ServiceStatus)),
    accepts_referrals=st.booleans(),
    categories=_subset(CATEGORIES),
    target_groups=_subset(GROUPS),
    area_codes=_subset(CODES),
    serves_abroad=st.booleans(),
    minimum_age=ages,
    maximum_age=ages,
    languages=_subset(LANGUAGES),
    capacity_available=st.none() | st.integers(min_value=0, max_value=5),
)

needs_strategy = st.builds(
    CaseNeeds,
    categories=_subset(CATEGORIES),
    target_groups=_subset(GROUPS),
    province_code=st.sampled_from([BANGKOK, CHIANG_MAI, None]),
    district_code=st.sampled_from([PATHUM_WAN, MUEANG_CHIANG_MAI, None]),
    subdistrict_code=st.sampled_from([LUMPHINI, None]),
    country_code=st.sampled_from(["TH", "TH", "MY", "JP"]),
    client_age=ages,
    languages=_subset(LANGUAGES),
)


@given(needs_strategy, st.lists(services_strategy, max_size=12))
def test_filtered_services_never_appear_and_every_service_is_accounted_for(
    needs: CaseNeeds, services: list[AgencyService]
) -> None:
    ranking = rank_agencies(needs, services, limit=100)
    for ranked in ranking.ranked:
        service = ranked.service
        assert service.status is ServiceStatus.active and service.accepts_referrals
        assert area_match(needs, service) is not None
        assert ranked.score == sum(r.points for r in ranked.reasons)
    assert len(ranking.ranked) + sum(ranking.filtered.values()) == len(services)
    scores = [r.score for r in ranking.ranked]
    assert scores == sorted(scores, reverse=True)
    # A shorter list is the start of the longer one (only the kept are given reasons).
    assert rank_agencies(needs, services, limit=3).ranked == ranking.ranked[:3]


def _scores(needs: CaseNeeds, services: list[AgencyService]) -> dict[uuid.UUID, int]:
    return {r.service.service_id: r.score for r in rank_agencies(needs, services, limit=100).ranked}


def _first(needs: CaseNeeds, services: list[AgencyService]) -> uuid.UUID:
    return rank_agencies(needs, services, limit=100).ranked[0].service.service_id


@given(needs_strategy, services_strategy, st.integers(min_value=1, max_value=5))
def test_a_full_service_never_ranks_above_an_otherwise_identical_one_with_room(
    needs: CaseNeeds, service: AgencyService, room: int
) -> None:
    service = dataclasses.replace(
        service, status=ServiceStatus.active, accepts_referrals=True, area_codes=frozenset({"TH"})
    )
    full = dataclasses.replace(service, service_id=uuid.uuid4(), capacity_available=0)
    roomy = dataclasses.replace(service, service_id=uuid.uuid4(), capacity_available=room)
    scores = _scores(needs, [full, roomy])
    if not scores:  # both filtered alike (the client's age), nothing to compare
        return
    assert scores[roomy.service_id] > scores[full.service_id]
    assert _first(needs, [full, roomy]) == roomy.service_id


@given(needs_strategy, services_strategy)
def test_a_district_match_never_ranks_below_a_province_only_match(
    needs: CaseNeeds, service: AgencyService
) -> None:
    needs = dataclasses.replace(
        needs, country_code="TH", province_code=BANGKOK, district_code=PATHUM_WAN
    )
    service = dataclasses.replace(service, status=ServiceStatus.active, accepts_referrals=True)
    district = dataclasses.replace(
        service, service_id=uuid.uuid4(), area_codes=frozenset({PATHUM_WAN})
    )
    province = dataclasses.replace(
        service, service_id=uuid.uuid4(), area_codes=frozenset({BANGKOK})
    )
    scores = _scores(needs, [district, province])
    if not scores:  # both filtered alike (the client's age), nothing to compare
        return
    assert scores[district.service_id] > scores[province.service_id]


@given(needs_strategy, st.lists(services_strategy, max_size=15), st.integers(1, 8))
def test_the_directory_s_index_ranks_as_checking_every_service_does(
    needs: CaseNeeds, services: list[AgencyService], limit: int
) -> None:
    """The directory finds the services covering a case, with their area, through its index by
    area code; ranked, they give what checking each service in turn gives."""
    directory = build_directory(services)
    candidates = directory.candidates(needs)
    for service, area in candidates:
        assert area_match(needs, service) is area
    indexed = rank_covering(needs, candidates, limit=limit)
    checked = rank_agencies(needs, services, limit=limit)
    assert indexed.ranked == checked.ranked
    left_out = directory.left_out(len(candidates))
    assert {
        reason: count + left_out.get(reason, 0) for reason, count in indexed.filtered.items()
    } == checked.filtered
