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
    reason: str
    points: float
    detail: str


@dataclass(frozen=True, slots=True)
class Ranked:
    helper: Helper
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Ranking:
    ranked: list[Ranked]
    filtered: Counter[IneligibleReason]


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
    if not helper.is_active or helper.role not in HELPER_ROLES:
        return IneligibleReason.inactive
    if needs.critical and helper.role is Role.volunteer:
        return IneligibleReason.volunteer_on_critical
    if helper.role is Role.volunteer:
        if helper.card_expires_on is None:
            return IneligibleReason.card_missing
        if not card_valid(helper.card_expires_on, now=now):
            return IneligibleReason.card_expired
    if not helper.available:
        return IneligibleReason.unavailable
    if helper.leave_until is not None and helper.leave_until > now:
        return IneligibleReason.on_leave
    if helper.past_answer is not None:
        return helper.past_answer
    if area_match(helper.areas, needs) is None:
        return IneligibleReason.out_of_area
    if helper.load >= helper.capacity:
        return IneligibleReason.at_capacity
    return None


def score(helper: Helper, needs: CaseNeeds, *, now: datetime) -> tuple[float, tuple[Reason, ...]]:
    """The score of an eligible helper and its parts."""
    reasons: list[Reason] = []
    if needs.categories:
        skilled = len(needs.categories & helper.skills)
        reasons.append(
            Reason(
                "skill",
                SKILL_POINTS * skilled / len(needs.categories),
                f"{skilled}/{len(needs.categories)}",
            )
        )
    match = area_match(helper.areas, needs)
    if match is not None:
        reasons.append(Reason("area", AREA_POINTS[match.value], match.value))
    room = max(helper.capacity - helper.load, 0) / helper.capacity if helper.capacity else 0.0
    reasons.append(Reason("load", LOAD_POINTS * room, f"{helper.load}/{helper.capacity}"))
    if needs.languages:
        spoken = sorted(needs.languages & helper.languages)
        reasons.append(
            Reason("language", LANGUAGE_POINTS if spoken else 0.0, ",".join(spoken) or "none")
        )
    days = _days_waiting(helper, now=now)
    waited = 1.0 if days is None else min(days / WAIT_DAYS_FOR_FULL_POINTS, 1.0)
    reasons.append(
        Reason("last_assignment", WAIT_POINTS * waited, "never" if days is None else f"{days}d")
    )
    total = round(sum(reason.points for reason in reasons), 2)
    return total, tuple(Reason(r.reason, round(r.points, 2), r.detail) for r in reasons)


def _days_waiting(helper: Helper, *, now: datetime) -> int | None:
    if helper.last_assigned_at is None:
        return None
    return max((now - helper.last_assigned_at).days, 0)


def rank(helpers: Iterable[Helper], needs: CaseNeeds, *, now: datetime) -> Ranking:
    """Eligible helpers best first, and how many were filtered out per reason."""
    filtered: Counter[IneligibleReason] = Counter()
    ranked: list[Ranked] = []
    for helper in helpers:
        reason = ineligibility(helper, needs, now=now)
        if reason is not None:
            filtered[reason] += 1
            continue
        total, reasons = score(helper, needs, now=now)
        ranked.append(Ranked(helper=helper, score=total, reasons=reasons))
    ranked.sort(key=lambda r: (-r.score, _wait_key(r.helper), str(r.helper.user_id)))
    return Ranking(ranked=ranked, filtered=filtered)


def _wait_key(helper: Helper) -> float:
    """Earlier last assignment (or none) first."""
    return helper.last_assigned_at.timestamp() if helper.last_assigned_at else float("-inf")
