"""Ranking people for a case (pure): who is eligible, and how well each eligible helper fits.

A helper is first filtered out, with one reason, when they cannot take the case now (SPEC §5):
inactive, marked unavailable, on leave, without a service area covering the case, at capacity,
already declined or let an offer of this case expire, a volunteer whose social-development
volunteer (อพม.) card is missing or expired (valid through its expiry date, Bangkok time), or a
volunteer for a critical case (critical cases go to caseworkers only).

The rest are scored, out of 100, from five reasons, each shown with its points:
- skill (40): the share of the case's categories the helper is skilled in;
- area (25): the most specific service area covering the case: subdistrict 25, district 15,
  province 5 (a case whose district or subdistrict is unknown matches a district or subdistrict
  area in its province as a province);
- load (15): the room left under capacity, `15 × (1 − open cases / capacity)`;
- language (15): the helper speaks one of the client's languages (no points when none is known);
- last assignment (5): days since the helper last took a case, full after 30 days or never.
Ties go to the helper who waited longer since their last assignment, then by id, so a ranking
is the same on every run.

These are the rules, helper by helper; `service.routing.helper_group` applies them to many
helpers at once (`rank`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from models.enums import IneligibleReason, Role
from models.routing import ScoreReasonName

BANGKOK = ZoneInfo("Asia/Bangkok")
SKILL_POINTS = 40.0
AREA_POINTS = {"subdistrict": 25.0, "district": 15.0, "province": 5.0}
LOAD_POINTS = 15.0
LANGUAGE_POINTS = 15.0
WAIT_POINTS = 5.0
WAIT_DAYS_FOR_FULL_POINTS = 30
HELPER_ROLES = frozenset({Role.volunteer, Role.caseworker})


class AreaMatch(StrEnum):
    """How closely a helper's service areas cover a case's location."""

    subdistrict = "subdistrict"
    district = "district"
    province = "province"


@dataclass(frozen=True, slots=True)
class CaseNeeds:
    """What ranking needs to know about a case."""

    categories: frozenset[str]
    languages: frozenset[str]
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    critical: bool


@dataclass(frozen=True, slots=True)
class Helper:
    """A helper as ranking sees them; `past_answer` is how they answered an earlier offer of
    this case (declined, or let it expire), if they did."""

    user_id: uuid.UUID
    display_name: str
    role: Role
    is_active: bool
    available: bool
    leave_until: datetime | None
    skills: frozenset[str]
    languages: frozenset[str]
    areas: frozenset[str]
    capacity: int
    load: int
    card_expires_on: date | None
    last_assigned_at: datetime | None
    past_answer: IneligibleReason | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    reason: ScoreReasonName
    points: float
    detail: str


@dataclass(frozen=True, slots=True)
class Ranked:
    helper: Helper
    score: float


@dataclass(frozen=True, slots=True)
class Ranking:
    ranked: list[Ranked]
    filtered: Counter[IneligibleReason]
    needs: CaseNeeds
    now: datetime

    def reasons(self, ranked: Ranked) -> tuple[Reason, ...]:
        """What makes up a ranked helper's score."""
        return reasons(ranked.helper, self.needs, now=self.now)


def normalise_language(language: str) -> str:
    return language.strip().casefold()


def bangkok_date(now: datetime) -> date:
    return now.astimezone(BANGKOK).date()


def card_valid(expires_on: date | None, *, now: datetime) -> bool:
    """A volunteer card is valid through its expiry date (Bangkok)."""
    return expires_on is not None and expires_on >= bangkok_date(now)


def area_match(areas: Iterable[str], needs: CaseNeeds) -> AreaMatch | None:
    """The most specific of `areas` that covers the case, or None."""
    best: AreaMatch | None = None
    for code in areas:
        match = _covers(code, needs)
        if match is AreaMatch.subdistrict:
            return match
        if match is AreaMatch.district or (match is AreaMatch.province and best is None):
            best = match
    return best


def _covers(code: str, needs: CaseNeeds) -> AreaMatch | None:
    if code[:2] != needs.province_code:
        return None
    if len(code) == 2:
        return AreaMatch.province
    if len(code) == 4:
        if needs.district_code is None:
            return AreaMatch.province
        return AreaMatch.district if code == needs.district_code else None
    if needs.subdistrict_code is None:
        if needs.district_code is None or code[:4] == needs.district_code:
            return AreaMatch.province if needs.district_code is None else AreaMatch.district
        return None
    return AreaMatch.subdistrict if code == needs.subdistrict_code else None


def ineligibility(helper: Helper, needs: CaseNeeds, *, now: datetime) -> IneligibleReason | None:
    """Why `helper` may not be offered the case now, or None when they may."""
    return _check(helper, needs, now=now, today=bangkok_date(now))[0]


def _check(
    helper: Helper, needs: CaseNeeds, *, now: datetime, today: date
) -> tuple[IneligibleReason | None, AreaMatch | None]:
    """The reason to leave `helper` out, else None and how their areas cover the case."""
    if not helper.is_active or helper.role not in HELPER_ROLES:
        return IneligibleReason.inactive, None
    if helper.role is Role.volunteer:
        if needs.critical:
            return IneligibleReason.volunteer_on_critical, None
        if helper.card_expires_on is None:
            return IneligibleReason.card_missing, None
        if helper.card_expires_on < today:
            return IneligibleReason.card_expired, None
    if not helper.available:
        return IneligibleReason.unavailable, None
    if helper.leave_until is not None and helper.leave_until > now:
        return IneligibleReason.on_leave, None
    if helper.past_answer is not None:
        return helper.past_answer, None
    match = area_match(helper.areas, needs)
    if match is None:
        return IneligibleReason.out_of_area, None
    if helper.load >= helper.capacity:
        return IneligibleReason.at_capacity, None
    return None, match


def _parts(
    helper: Helper, needs: CaseNeeds, match: AreaMatch | None, *, now: datetime
) -> tuple[float, float, float, float | None, float]:
    """The unrounded points of skill, area, load, language (None: no language known) and the
    time since the last assignment."""
    skill = (
        SKILL_POINTS * len(needs.categories & helper.skills) / len(needs.categories)
        if needs.categories
        else 0.0
    )
    area = AREA_POINTS[match.value] if match is not None else 0.0
    language = (
        (LANGUAGE_POINTS if needs.languages & helper.languages else 0.0)
        if needs.languages
        else None
    )
    last = helper.last_assigned_at
    waited = (
        1.0 if last is None else min(max((now - last).days, 0) / WAIT_DAYS_FOR_FULL_POINTS, 1.0)
    )
    return skill, area, room_points(helper), language, WAIT_POINTS * waited


def room_points(helper: Helper) -> float:
    """The load's points: the room left under capacity."""
    room = max(helper.capacity - helper.load, 0) / helper.capacity if helper.capacity else 0.0
    return LOAD_POINTS * room


def score(helper: Helper, needs: CaseNeeds, *, now: datetime, match: AreaMatch | None) -> float:
    """The score of an eligible helper: the sum of its reasons' points, to two decimals."""
    skill, area, load, language, wait = _parts(helper, needs, match, now=now)
    return round(skill + area + load + (language or 0.0) + wait, 2)


def reasons(helper: Helper, needs: CaseNeeds, *, now: datetime) -> tuple[Reason, ...]:
    """The parts of an eligible helper's score, each with what matched."""
    match = area_match(helper.areas, needs)
    skill, area, load, language, wait = _parts(helper, needs, match, now=now)
    days = _days_waiting(helper, now=now)
    found: list[Reason] = []
    if needs.categories:
        skilled = len(needs.categories & helper.skills)
        found.append(Reason("skill", round(skill, 2), f"{skilled}/{len(needs.categories)}"))
    if match is not None:
        found.append(Reason("area", round(area, 2), match.value))
    found.append(Reason("load", round(load, 2), f"{helper.load}/{helper.capacity}"))
    if language is not None:
        spoken = ",".join(sorted(needs.languages & helper.languages)) or "none"
        found.append(Reason("language", round(language, 2), spoken))
    waited = "never" if days is None else f"{days}d"
    found.append(Reason("last_assignment", round(wait, 2), waited))
    return tuple(found)


def wait_key(helper: Helper) -> float:
    """Earlier last assignment (or none) first."""
    return helper.last_assigned_at.timestamp() if helper.last_assigned_at else float("-inf")


def _days_waiting(helper: Helper, *, now: datetime) -> int | None:
    if helper.last_assigned_at is None:
        return None
    return max((now - helper.last_assigned_at).days, 0)
