"""A case's two deadlines (SPEC §6) and where each stands: pure, from what the case records.

First response runs from intake until the case is screened; resolution from intake until it is
resolved. Both follow the policy of the case's current urgency, so a screening that raises the
urgency moves them (recomputed from intake, not from the screening). Resolution's clock stops
while the case is `awaiting_client` (its pauses); a case still waiting has no resolution due
time until the client answers. A deadline met is kept as it was, to report how it went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from models.case_deadlines import DeadlineState
from models.enums import Urgency
from service.deadlines.calendar import Pause, due_at
from service.deadlines.policies import DeadlineRules

WARNING_FRACTION = 0.75
__all__ = ["CaseClock", "CaseDeadlines", "Deadline", "DeadlineState", "case_deadlines"]


@dataclass(frozen=True, slots=True)
class CaseClock:
    """What the arithmetic needs of a case."""

    opened_at: datetime
    urgency: Urgency
    pauses: Sequence[Pause] = ()
    screened_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    """One deadline: its warning and due times (both None while a pause holds the clock) and
    when it was met."""

    warn_at: datetime | None
    due_at: datetime | None
    met_at: datetime | None

    def state(self, now: datetime) -> DeadlineState:
        if self.met_at is not None and (self.due_at is None or self.met_at <= self.due_at):
            return DeadlineState.met
        if self.due_at is None:
            return DeadlineState.paused
        if (self.met_at or now) >= self.due_at:
            return DeadlineState.breached
        if self.warn_at is not None and now >= self.warn_at:
            return DeadlineState.at_risk
        return DeadlineState.on_time


@dataclass(frozen=True, slots=True)
class CaseDeadlines:
    first_response: Deadline
    resolution: Deadline


def case_deadlines(clock: CaseClock, rules: DeadlineRules) -> CaseDeadlines:
    """Both deadlines of a case under `rules`."""
    first_budget, resolution_budget = rules.budgets(clock.urgency)
    calendar = rules.calendar
    first = Deadline(
        warn_at=due_at(clock.opened_at, first_budget, calendar, fraction=WARNING_FRACTION),
        due_at=due_at(clock.opened_at, first_budget, calendar),
        met_at=clock.screened_at,
    )
    resolution_due = due_at(clock.opened_at, resolution_budget, calendar, pauses=clock.pauses)
    resolution = Deadline(
        # A clock held by a running pause warns of nothing: its warning point may lie before the
        # pause, but the time it warns of is unknown until the client answers (then both return).
        warn_at=None
        if resolution_due is None
        else due_at(
            clock.opened_at,
            resolution_budget,
            calendar,
            pauses=clock.pauses,
            fraction=WARNING_FRACTION,
        ),
        due_at=resolution_due,
        met_at=clock.resolved_at,
    )
    return CaseDeadlines(first_response=first, resolution=resolution)
