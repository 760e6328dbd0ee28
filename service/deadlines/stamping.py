"""What a case's deadline columns hold (SPEC §6), decided from what the case records: pure.

A case's clock facts are when it was opened (intake), its urgency, when each deadline stopped
counting (`*_met_at`) and the pauses of the resolution clock. A status step changes the facts
(`after_step`); the columns follow from the facts and the rules (`deadline_columns`), so intake,
every step, a new urgency and a change of the rules all compute them the same way.

Decisions written down:
- Both deadlines run from intake (`created_at`, when the center received the case), not from
  when a reporter says they recorded it in the field.
- First response stops counting at screening, resolution at resolving; closing stops both when
  still counting. Reopening (a resolved or closed case back to `in_progress`) makes resolution
  count again from the same start, so a reopened case long past its due time is breached.
- The warnings and breaches the worker recorded stay as they were whatever the times become: each
  is recorded once per case (a pause, a new urgency or new rules never make a second one).
- A case from before due times were stored (no rules version) is read from its lifecycle
  times: screened, resolved and closed; a case waiting for its client then is taken to have
  started waiting at its last change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from models.case import Case
from models.enums import CaseStatus, Urgency
from service.deadlines.calendar import Pause
from service.deadlines.due_times import CaseClock, CaseDeadlines, Deadline, case_deadlines
from service.deadlines.policies import DeadlineRules

S = CaseStatus


@dataclass(frozen=True, slots=True)
class ClockFacts:
    """What a case's deadlines follow from."""

    opened_at: datetime
    urgency: Urgency
    first_response_met_at: datetime | None = None
    resolution_met_at: datetime | None = None
    paused_at: datetime | None = None
    pauses: tuple[tuple[datetime, datetime], ...] = ()


class ClockRecord(Protocol):
    """What a case row holds of its clock: a `Case`, or a row of its clock columns alone."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def urgency(self) -> Urgency: ...
    @property
    def status(self) -> CaseStatus: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def screened_at(self) -> datetime | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def deadline_rules_version(self) -> int | None: ...
    @property
    def first_response_met_at(self) -> datetime | None: ...
    @property
    def resolution_met_at(self) -> datetime | None: ...
    @property
    def clock_paused_at(self) -> datetime | None: ...
    @property
    def clock_pauses(self) -> list[list[str]]: ...


def facts_of(case: ClockRecord) -> ClockFacts:
    """The clock facts a case records (or, unstamped, its lifecycle times imply)."""
    if case.deadline_rules_version is None:
        return ClockFacts(
            opened_at=case.created_at,
            urgency=case.urgency,
            first_response_met_at=case.screened_at or case.closed_at,
            resolution_met_at=case.resolved_at or case.closed_at,
            paused_at=case.updated_at if case.status is S.awaiting_client else None,
        )
    return ClockFacts(
        opened_at=case.created_at,
        urgency=case.urgency,
        first_response_met_at=case.first_response_met_at,
        resolution_met_at=case.resolution_met_at,
        paused_at=case.clock_paused_at,
        pauses=tuple(
            (datetime.fromisoformat(start), datetime.fromisoformat(end))
            for start, end in case.clock_pauses
        ),
    )


def after_step(
    facts: ClockFacts, *, before: CaseStatus, after: CaseStatus, now: datetime
) -> ClockFacts:
    """The facts once a case has moved from `before` to `after` at `now`."""
    first, resolution = facts.first_response_met_at, facts.resolution_met_at
    paused_at, pauses = facts.paused_at, facts.pauses
    if before is S.awaiting_client and paused_at is not None:
        pauses, paused_at = (*pauses, (paused_at, now)), None
    if after is S.awaiting_client:
        paused_at = paused_at or now
    if after is S.screened:
        first = first or now
    elif after is S.resolved:
        resolution = resolution or now
    elif after is S.closed:
        first, resolution = first or now, resolution or now
    elif after is S.in_progress and before in (S.resolved, S.closed):
        resolution = None
    return replace(
        facts,
        first_response_met_at=first,
        resolution_met_at=resolution,
        paused_at=paused_at,
        pauses=pauses,
    )


def deadlines_of(facts: ClockFacts, rules: DeadlineRules) -> CaseDeadlines:
    """Both deadlines of a case with these facts under `rules`."""
    running: list[Pause] = [*facts.pauses]
    if facts.paused_at is not None:
        running.append((facts.paused_at, None))
    clock = CaseClock(
        opened_at=facts.opened_at,
        urgency=facts.urgency,
        pauses=running,
        screened_at=facts.first_response_met_at,
        resolved_at=facts.resolution_met_at,
    )
    return case_deadlines(clock, rules)


def deadline_columns(facts: ClockFacts, rules: DeadlineRules) -> dict[str, Any]:
    """The deadline columns of a case with these facts (warnings and breaches recorded aside)."""
    deadlines = deadlines_of(facts, rules)
    columns: dict[str, Any] = {}
    for kind, deadline in (
        ("first_response", deadlines.first_response),
        ("resolution", deadlines.resolution),
    ):
        columns[f"{kind}_due_at"] = deadline.due_at
        columns[f"{kind}_warn_at"] = deadline.warn_at
        columns[f"{kind}_met_at"] = deadline.met_at
    columns["clock_paused_at"] = facts.paused_at
    columns["clock_pauses"] = [[start.isoformat(), end.isoformat()] for start, end in facts.pauses]
    columns["deadline_rules_version"] = rules.version
    return columns


def stamp(case: Case, facts: ClockFacts, rules: DeadlineRules) -> None:
    """Set the case's deadline columns for `facts` under `rules`."""
    for name, value in deadline_columns(facts, rules).items():
        setattr(case, name, value)


def stored_deadlines(case: Case) -> CaseDeadlines | None:
    """The deadlines as the case row holds them; None before they were first computed."""
    if case.deadline_rules_version is None:
        return None
    return CaseDeadlines(
        first_response=Deadline(
            warn_at=case.first_response_warn_at,
            due_at=case.first_response_due_at,
            met_at=case.first_response_met_at,
        ),
        resolution=Deadline(
            warn_at=case.resolution_warn_at,
            due_at=case.resolution_due_at,
            met_at=case.resolution_met_at,
        ),
    )
