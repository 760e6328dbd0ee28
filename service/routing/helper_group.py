"""Ranking many helpers for a case at once (pure): the rules of `service.routing.ranking`
applied to a group of helpers (the helpers of a province, as a process keeps them), with the
work that does not depend on the case done once.

- What holds all day is worked out once per day and kind of case (critical or not): the
  helpers left out as inactive, a volunteer on a critical case, a card missing or expired, or
  unavailable, counted by reason; the rest are open to the case.
- The helpers' service areas are indexed by code, so a case's closest match is found from the
  few codes that can cover it (its subdistrict, its district, its province, and the finer codes
  inside them when the case's location is less precise), never by reading every helper's areas.
- Per case, only the open helpers on leave, those who answered an earlier offer of the case and
  those whose areas cover it are looked at; the open helpers left are counted out of area.
- Only the eligible are scored, by `service.routing.ranking._parts`' arithmetic, term for term,
  with each helper's skills and languages as bits, their load points and last assignment worked
  out once.

`rank` gives exactly what checking every helper in turn (`ineligibility`) and scoring the rest
(`score`) gives: the same order, scores and counts (a property test holds them equal).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from models.enums import IneligibleReason, Role
from service.routing.ranking import (
    AREA_POINTS,
    HELPER_ROLES,
    LANGUAGE_POINTS,
    SKILL_POINTS,
    WAIT_DAYS_FOR_FULL_POINTS,
    WAIT_POINTS,
    AreaMatch,
    CaseNeeds,
    Helper,
    Ranked,
    Ranking,
    bangkok_date,
    room_points,
    wait_key,
)

_AREA_POINTS = {match: AREA_POINTS[match.value] for match in AreaMatch}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000


def _microseconds(moment: datetime) -> int:
    """Whole microseconds since the epoch: differences of these, floor-divided by a day's,
    are the `days` of the same `datetime` subtraction, exactly."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def rank(helpers: Iterable[Helper], needs: CaseNeeds, *, now: datetime) -> Ranking:
    """Eligible helpers best first, and how many were filtered out per reason. Only scores
    are computed here; `Ranking.reasons` details the ones shown."""
    return HelperGroup(helpers).rank(needs, now=now)


@dataclass(frozen=True, slots=True)
class _Day:
    """A group's helpers as the checks that hold all day leave them, for one kind of case."""

    left_out: Mapping[IneligibleReason, int]
    open: frozenset[int]  # positions of the helpers the day's checks leave in
    leave: tuple[tuple[int, datetime], ...]  # the open ones with a leave end, and that end


class HelperGroup:
    """Helpers ranked together, case after case (see the module's docstring)."""

    __slots__ = (
        "_area_index",
        "_bits",
        "_days",
        "_full",
        "_own_answers",
        "_positions",
        "_scoring",
        "helpers",
    )

    def __init__(self, helpers: Iterable[Helper]) -> None:
        self.helpers = tuple(helpers)
        self._positions: dict[uuid.UUID, list[int]] = {}
        self._area_index: dict[tuple[str, str], list[int]] = {}
        for position, helper in enumerate(self.helpers):
            self._positions.setdefault(helper.user_id, []).append(position)
            for code in helper.areas:
                for key in _index_keys(code):
                    self._area_index.setdefault(key, []).append(position)
        self._full = tuple(helper.load >= helper.capacity for helper in self.helpers)
        # Skills and languages as bits (one per code met in the group), so a case's overlap is
        # an AND and a bit count rather than a set intersection; each helper's load points,
        # last assignment in whole microseconds (for `_parts`' days), wait key and id text.
        self._bits: dict[tuple[str, str], int] = {}
        self._scoring = tuple(
            (
                self._mask(("skill", code) for code in helper.skills),
                self._mask(("language", code) for code in helper.languages),
                room_points(helper),
                None if helper.last_assigned_at is None else _microseconds(helper.last_assigned_at),
                wait_key(helper),
                str(helper.user_id),
            )
            for helper in self.helpers
        )
        self._own_answers = {
            position: helper.past_answer
            for position, helper in enumerate(self.helpers)
            if helper.past_answer is not None
        }
        self._days: dict[tuple[bool, date], _Day] = {}

    def __len__(self) -> int:
        return len(self.helpers)

    def matches(self, needs: CaseNeeds) -> dict[int, AreaMatch]:
        """The positions of the helpers whose areas cover the case, with the closest match
        (`service.routing.ranking.area_match`, from the index)."""
        province, district, subdistrict = (
            needs.province_code,
            needs.district_code,
            needs.subdistrict_code,
        )
        index = self._area_index
        found: dict[int, AreaMatch] = {}
        # From the closest match to the widest: a position keeps the first it gets.
        steps: list[tuple[tuple[str, str], AreaMatch]] = []
        if subdistrict is not None:
            steps.append((("fine", subdistrict), AreaMatch.subdistrict))
        if district is not None:
            steps.append((("district", district), AreaMatch.district))
            if subdistrict is None:
                steps.append((("fine_in", district), AreaMatch.district))
        steps.append((("province", province), AreaMatch.province))
        if district is None:
            steps.append((("district_in", province), AreaMatch.province))
            if subdistrict is None:
                steps.append((("fine_in", province), AreaMatch.province))
        for key, match in steps:
            if key[1][:2] != province:  # a code outside the case's province covers nothing
                continue
            for position in index.get(key, ()):
                found.setdefault(position, match)
        return found

    def rank(
        self,
        needs: CaseNeeds,
        *,
        now: datetime,
        past_answers: Mapping[uuid.UUID, IneligibleReason] | None = None,
    ) -> Ranking:
        """The group's eligible helpers best first, and how many were filtered out per reason;
        `past_answers` adds how helpers answered earlier offers of the case."""
        day = self._day(needs.critical, bangkok_date(now))
        counts: Counter[IneligibleReason] = Counter(day.left_out)
        open_ = day.open
        # The open helpers counted so far: on leave, then those who answered an earlier offer.
        counted = {position for position, until in day.leave if until > now}
        counts[IneligibleReason.on_leave] += len(counted)
        answered = dict(self._own_answers)
        for user_id, answer in (past_answers or {}).items():
            for position in self._positions.get(user_id, ()):
                answered[position] = answer
        for position, answer in answered.items():
            if position in open_ and position not in counted:
                counts[answer] += 1
                counted.add(position)
        left = len(open_) - len(counted)  # the open helpers still to place
        scored: list[tuple[float, float, str, int]] = []
        full, scoring = self._full, self._scoring
        wanted = len(needs.categories)
        skills = self._case_mask(("skill", code) for code in needs.categories)
        languages = self._case_mask(("language", code) for code in needs.languages)
        now_us = _microseconds(now)
        for position, match in self.matches(needs).items():
            if position not in open_ or position in counted:
                continue
            left -= 1
            if full[position]:
                counts[IneligibleReason.at_capacity] += 1
                continue
            # `service.routing.ranking._parts`, term for term and in its order of addition.
            skill_bits, language_bits, load, last_us, waited_key, id_text = scoring[position]
            skill = SKILL_POINTS * (skills & skill_bits).bit_count() / wanted if wanted else 0.0
            language = (
                (LANGUAGE_POINTS if languages & language_bits else 0.0) if needs.languages else 0.0
            )
            waited = (
                1.0
                if last_us is None
                else min(max((now_us - last_us) // _DAY_US, 0) / WAIT_DAYS_FOR_FULL_POINTS, 1.0)
            )
            total = round(skill + _AREA_POINTS[match] + load + language + WAIT_POINTS * waited, 2)
            scored.append((-total, waited_key, id_text, position))
        counts[IneligibleReason.out_of_area] += left
        scored.sort()
        return Ranking(
            ranked=[Ranked(self.helpers[position], -total) for total, _, _, position in scored],
            filtered=+counts,  # the reasons that left somebody out
            needs=needs,
            now=now,
        )

    def _day(self, critical: bool, today: date) -> _Day:
        """The checks that hold all `today` for a case critical or not, worked out once."""
        day = self._days.get((critical, today))
        if day is None:
            if len(self._days) >= 4:  # yesterday's are no longer needed
                self._days.clear()
            day = self._days[(critical, today)] = _checked_for_the_day(
                self.helpers, critical=critical, today=today
            )
        return day

    def _mask(self, keys: Iterable[tuple[str, str]]) -> int:
        """The bits of these skill or language codes, each code given a bit when first met."""
        mask = 0
        for key in keys:
            bit = self._bits.get(key)
            if bit is None:
                bit = self._bits[key] = 1 << len(self._bits)
            mask |= bit
        return mask

    def _case_mask(self, keys: Iterable[tuple[str, str]]) -> int:
        """The bits of a case's codes; a code no helper of the group has adds none."""
        mask = 0
        for key in keys:
            mask |= self._bits.get(key, 0)
        return mask


def _checked_for_the_day(helpers: Iterable[Helper], *, critical: bool, today: date) -> _Day:
    """The helpers left out all `today` by the first checks of `ineligibility` (in its order:
    inactive, a volunteer on a critical case, card missing, card expired, unavailable), counted
    by reason, and the positions of the others."""
    left_out: Counter[IneligibleReason] = Counter()
    open_: list[int] = []
    leave: list[tuple[int, datetime]] = []
    for position, helper in enumerate(helpers):
        reason: IneligibleReason | None = None
        if not helper.is_active or helper.role not in HELPER_ROLES:
            reason = IneligibleReason.inactive
        elif helper.role is Role.volunteer:
            if critical:
                reason = IneligibleReason.volunteer_on_critical
            elif helper.card_expires_on is None:
                reason = IneligibleReason.card_missing
            elif helper.card_expires_on < today:
                reason = IneligibleReason.card_expired
        if reason is None and not helper.available:
            reason = IneligibleReason.unavailable
        if reason is not None:
            left_out[reason] += 1
            continue
        open_.append(position)
        if helper.leave_until is not None:
            leave.append((position, helper.leave_until))
    return _Day(left_out=dict(left_out), open=frozenset(open_), leave=tuple(leave))


def _index_keys(code: str) -> list[tuple[str, str]]:
    """Where an area code is found in a group's index: a province code by itself; a district
    code by itself and by its province; a finer code by itself, its district and its
    province."""
    if len(code) == 2:
        return [("province", code)]
    if len(code) == 4:
        return [("district", code), ("district_in", code[:2])]
    return [("fine", code), ("fine_in", code[:4]), ("fine_in", code[:2])]
