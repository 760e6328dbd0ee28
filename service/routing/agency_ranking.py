"""Which agency services suit a case, best first: a pure function of the case's needs and the
candidate services, with the points behind each score.

Ineligible services are filtered first and counted by their first failing reason, in this
order: not active, not taking referrals, outside the case's area, the client's age outside the
service's range. The rest score points for each reason (`POINTS`): the area they cover (a
service for people abroad first for a case abroad; then subdistrict, district, province,
nationwide), the categories and target groups they serve, the client's age inside a stated
range, a shared language, and room (HSDS 3.1 `service_capacity`): a service with room gains
the most, one that publishes no capacity a little, a full one nothing, so that a full service
ranks below one with room, all else equal. Ties go by organization name, service name and id.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from models.enums import AgencyFilterReason, AgencyReason, ServiceStatus, Urgency

THAILAND = "TH"


@dataclass(frozen=True, slots=True)
class CaseNeeds:
    """What a case asks of an agency."""

    categories: frozenset[str]
    target_groups: frozenset[str] = frozenset()
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    country_code: str = THAILAND
    client_age: int | None = None
    languages: frozenset[str] = frozenset()
    urgency: Urgency = Urgency.normal

    @property
    def abroad(self) -> bool:
        return self.country_code != THAILAND


@dataclass(frozen=True, slots=True)
class AgencyService:
    """A candidate service as ranking sees it. `capacity_available` is the most room any of its
    published capacities has (None when it publishes none)."""

    service_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    name: str
    status: ServiceStatus = ServiceStatus.active
    accepts_referrals: bool = True
    categories: frozenset[str] = frozenset()
    target_groups: frozenset[str] = frozenset()
    area_codes: frozenset[str] = frozenset()
    serves_abroad: bool = False
    minimum_age: int | None = None
    maximum_age: int | None = None
    languages: frozenset[str] = frozenset()
    capacity_available: int | None = None


POINTS: dict[AgencyReason, int] = {
    AgencyReason.abroad: 50,
    AgencyReason.subdistrict: 40,
    AgencyReason.district: 30,
    AgencyReason.province: 20,
    AgencyReason.nationwide: 10,
    AgencyReason.category: 30,
    AgencyReason.more_categories: 5,  # per category served beyond the first
    AgencyReason.target_group: 10,  # per target group served
    AgencyReason.age_eligible: 5,
    AgencyReason.language: 10,
    AgencyReason.has_room: 15,
    AgencyReason.capacity_unknown: 5,
    AgencyReason.full: 0,
}


@dataclass(frozen=True, slots=True)
class Reason:
    code: AgencyReason
    points: int


@dataclass(frozen=True, slots=True)
class RankedService:
    service: AgencyService
    score: int
    reasons: tuple[Reason, ...]


@dataclass(slots=True)
class AgencyRanking:
    ranked: list[RankedService]
    filtered: dict[AgencyFilterReason, int] = field(default_factory=dict)


def area_match(needs: CaseNeeds, service: AgencyService) -> AgencyReason | None:
    """The closest area the service covers for the case, or None when it covers none."""
    codes = service.area_codes
    if needs.abroad and (service.serves_abroad or needs.country_code in codes):
        return AgencyReason.abroad
    for code, reason in (
        (needs.subdistrict_code, AgencyReason.subdistrict),
        (needs.district_code, AgencyReason.district),
        (needs.province_code, AgencyReason.province),
    ):
        if code is not None and code in codes:
            return reason
    if THAILAND in codes:
        return AgencyReason.nationwide
    return None


def _age_fits(needs: CaseNeeds, service: AgencyService) -> bool:
    age = needs.client_age
    if age is None:
        return True
    low, high = service.minimum_age, service.maximum_age
    return (low is None or age >= low) and (high is None or age <= high)


def _checked(
    needs: CaseNeeds, service: AgencyService
) -> tuple[AgencyFilterReason | None, AgencyReason | None]:
    """The first reason the service may not take the case (or None), and the area it covers."""
    if service.status is not ServiceStatus.active:
        return AgencyFilterReason.inactive, None
    if not service.accepts_referrals:
        return AgencyFilterReason.not_accepting_referrals, None
    area = area_match(needs, service)
    if area is None:
        return AgencyFilterReason.outside_area, None
    if not _age_fits(needs, service):
        return AgencyFilterReason.age_outside_range, area
    return None, area


def reasons_for(
    needs: CaseNeeds, service: AgencyService, area: AgencyReason | None = None
) -> tuple[Reason, ...]:
    """The points an eligible service earns for the case, reason by reason (`area`: the area
    it covers, when already known)."""
    return tuple(Reason(code, points) for code, points in _earned(needs, service, area))


def _earned(
    needs: CaseNeeds, service: AgencyService, area: AgencyReason | None
) -> Iterator[tuple[AgencyReason, int]]:
    if area is None:
        area = area_match(needs, service)
    if area is not None:
        yield area, POINTS[area]
    served = len(needs.categories & service.categories)
    if served:
        yield AgencyReason.category, POINTS[AgencyReason.category]
    if served > 1:
        yield AgencyReason.more_categories, (served - 1) * POINTS[AgencyReason.more_categories]
    groups = len(needs.target_groups & service.target_groups)
    if groups:
        yield AgencyReason.target_group, groups * POINTS[AgencyReason.target_group]
    if needs.client_age is not None and (
        service.minimum_age is not None or service.maximum_age is not None
    ):
        yield AgencyReason.age_eligible, POINTS[AgencyReason.age_eligible]
    if needs.languages & service.languages:
        yield AgencyReason.language, POINTS[AgencyReason.language]
    room = _room(service.capacity_available)
    yield room, POINTS[room]


def _points(needs: CaseNeeds, service: AgencyService, area: AgencyReason) -> int:
    """The sum of `_earned`'s points, without building them (every candidate is scored; only
    the ones shown get their reasons)."""
    total = POINTS[area]
    served = len(needs.categories & service.categories)
    if served:
        total += POINTS[AgencyReason.category] + (served - 1) * POINTS[AgencyReason.more_categories]
    if needs.target_groups:
        total += (
            len(needs.target_groups & service.target_groups) * POINTS[AgencyReason.target_group]
        )
    if needs.client_age is not None and (
        service.minimum_age is not None or service.maximum_age is not None
    ):
        total += POINTS[AgencyReason.age_eligible]
    if needs.languages and needs.languages & service.languages:
        total += POINTS[AgencyReason.language]
    return total + POINTS[_room(service.capacity_available)]


def _room(available: int | None) -> AgencyReason:
    if available is None:
        return AgencyReason.capacity_unknown
    return AgencyReason.has_room if available > 0 else AgencyReason.full


def rank_agencies(
    needs: CaseNeeds, services: Iterable[AgencyService], *, limit: int
) -> AgencyRanking:
    """The eligible services, best first (at most `limit`), and how many were filtered why.
    Every eligible service is scored; only the ones kept are given their reasons."""
    filtered: dict[AgencyFilterReason, int] = dict.fromkeys(AgencyFilterReason, 0)
    covering: list[tuple[AgencyService, AgencyReason]] = []
    for service in services:
        reason, area = _checked(needs, service)
        if reason is not None or area is None:
            filtered[reason or AgencyFilterReason.outside_area] += 1
            continue
        covering.append((service, area))
    return _ranked(needs, covering, limit=limit, filtered=filtered)


def rank_covering(
    needs: CaseNeeds, covering: Iterable[tuple[AgencyService, AgencyReason]], *, limit: int
) -> AgencyRanking:
    """`rank_agencies` for services known to take referrals and to cover the case, each with
    the closest area it covers (the directory's index finds them): only the client's age is
    left to check."""
    filtered: dict[AgencyFilterReason, int] = dict.fromkeys(AgencyFilterReason, 0)
    fitting: list[tuple[AgencyService, AgencyReason]] = []
    for service, area in covering:
        if _age_fits(needs, service):
            fitting.append((service, area))
        else:
            filtered[AgencyFilterReason.age_outside_range] += 1
    return _ranked(needs, fitting, limit=limit, filtered=filtered)


def _ranked(
    needs: CaseNeeds,
    eligible: list[tuple[AgencyService, AgencyReason]],
    *,
    limit: int,
    filtered: dict[AgencyFilterReason, int],
) -> AgencyRanking:
    scored = [
        (
            -_points(needs, service, area),
            service.organization_name,
            service.name,
            service.service_id,  # a UUID orders as its text does (fixed-width hex)
            position,
        )
        for position, (service, area) in enumerate(eligible)
    ]
    ranked = []
    for points, *_, position in heapq.nsmallest(limit, scored):
        service, area = eligible[position]
        ranked.append(RankedService(service, -points, reasons_for(needs, service, area)))
    return AgencyRanking(ranked=ranked, filtered=filtered)
