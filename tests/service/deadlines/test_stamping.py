"""What a case's deadline columns hold as it is opened and moves, decided from its facts."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from models.case import Case
from models.enums import CaseStatus, Urgency
from service.deadlines.calendar import WorkingCalendar, thai_closed_days
from service.deadlines.policies import DEFAULT_POLICIES, DeadlineRules
from service.deadlines.stamping import (
    ClockFacts,
    after_step,
    deadline_columns,
    facts_of,
    stamp,
    stored_deadlines,
)
from service.thai.dates import BANGKOK

RULES = DeadlineRules(
    policies=DEFAULT_POLICIES,
    calendar=WorkingCalendar(closed_days=thai_closed_days([2026, 2027])),
    version=7,
)
S = CaseStatus


def bangkok(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK)  # type: ignore[misc]


OPENED = bangkok(2026, 11, 30, 9, 0)  # a Monday


def test_a_new_case_gets_both_deadlines_and_the_rules_version() -> None:
    columns = deadline_columns(ClockFacts(OPENED, Urgency.critical), RULES)
    assert columns["first_response_due_at"] == OPENED + timedelta(hours=1)
    assert columns["first_response_warn_at"] == OPENED + timedelta(minutes=45)
    assert columns["resolution_due_at"] == OPENED + timedelta(days=3)
    assert columns["first_response_met_at"] is None
    assert columns["resolution_met_at"] is None
    assert columns["clock_paused_at"] is None
    assert columns["clock_pauses"] == []
    assert columns["deadline_rules_version"] == 7
    # What the worker records is never part of what is computed.
    assert not any(name.endswith(("warned_at", "breached_at")) for name in columns)


def test_a_songkran_evening_case_is_due_after_a_working_day() -> None:
    opened = bangkok(2026, 4, 13, 19, 0)  # Songkran: 13 to 15 April are closed
    columns = deadline_columns(ClockFacts(opened, Urgency.normal), RULES)
    assert columns["first_response_due_at"] == bangkok(2026, 4, 16, 16, 30)
    assert columns["first_response_warn_at"] == bangkok(2026, 4, 16, 14, 45)


def test_screening_meets_the_first_response_and_a_new_urgency_moves_resolution() -> None:
    facts = ClockFacts(OPENED, Urgency.normal)
    screened_at = OPENED + timedelta(minutes=30)
    screened = after_step(facts, before=S.new, after=S.screened, now=screened_at)
    raised = deadline_columns(
        ClockFacts(OPENED, Urgency.high, first_response_met_at=screened.first_response_met_at),
        RULES,
    )
    assert screened.first_response_met_at == screened_at
    assert raised["first_response_met_at"] == screened_at
    assert raised["resolution_due_at"] == OPENED + timedelta(days=7)  # from intake, not screening


def test_waiting_for_the_client_pauses_resolution_and_answering_resumes_it() -> None:
    facts = ClockFacts(OPENED, Urgency.high, first_response_met_at=OPENED)
    paused_at = OPENED + timedelta(days=1)
    paused = after_step(facts, before=S.in_progress, after=S.awaiting_client, now=paused_at)
    while_paused = deadline_columns(paused, RULES)
    assert while_paused["clock_paused_at"] == paused_at
    assert while_paused["resolution_due_at"] is None
    assert while_paused["resolution_warn_at"] is None
    assert while_paused["first_response_due_at"] is not None

    resumed_at = paused_at + timedelta(days=2)
    resumed = after_step(paused, before=S.awaiting_client, after=S.in_progress, now=resumed_at)
    after = deadline_columns(resumed, RULES)
    assert after["clock_paused_at"] is None
    assert after["clock_pauses"] == [[paused_at.isoformat(), resumed_at.isoformat()]]
    assert after["resolution_due_at"] == OPENED + timedelta(days=7 + 2)


def test_resolving_meets_resolution_and_reopening_counts_it_again() -> None:
    facts = ClockFacts(OPENED, Urgency.high, first_response_met_at=OPENED)
    resolved_at = OPENED + timedelta(days=2)
    resolved = after_step(facts, before=S.in_progress, after=S.resolved, now=resolved_at)
    assert resolved.resolution_met_at == resolved_at
    for reopened_from in (S.resolved, S.closed):
        reopened = after_step(resolved, before=reopened_from, after=S.in_progress, now=resolved_at)
        assert reopened.resolution_met_at is None
        assert reopened.first_response_met_at == OPENED


def test_closing_stops_what_still_counts_and_keeps_what_was_met() -> None:
    early = after_step(ClockFacts(OPENED, Urgency.low), before=S.new, after=S.closed, now=OPENED)
    assert early.first_response_met_at == early.resolution_met_at == OPENED
    resolved_at = OPENED + timedelta(days=1)
    resolved = ClockFacts(
        OPENED, Urgency.low, first_response_met_at=OPENED, resolution_met_at=resolved_at
    )
    closed = after_step(resolved, before=S.resolved, after=S.closed, now=resolved_at + timedelta(1))
    assert closed.resolution_met_at == resolved_at


def _case(**columns: object) -> Case:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "reference": "OS-2569-000001",
        "status": S.new,
        "urgency": Urgency.critical,
        "created_at": OPENED,
        "updated_at": OPENED,
        **columns,
    }
    return Case(**values)


def test_a_case_from_before_stored_deadlines_is_read_from_its_lifecycle_times() -> None:
    waiting = _case(status=S.awaiting_client, screened_at=OPENED, updated_at=OPENED + timedelta(1))
    facts = facts_of(waiting)
    assert facts.first_response_met_at == OPENED
    assert facts.paused_at == OPENED + timedelta(1)
    closed = facts_of(_case(status=S.closed, closed_at=OPENED + timedelta(hours=2)))
    assert closed.first_response_met_at == closed.resolution_met_at == OPENED + timedelta(hours=2)
    assert stored_deadlines(waiting) is None


def test_stamped_columns_read_back_as_the_same_facts() -> None:
    case = _case()
    facts = ClockFacts(
        OPENED,
        Urgency.critical,
        first_response_met_at=OPENED,
        pauses=((OPENED + timedelta(hours=1), OPENED + timedelta(hours=5)),),
    )
    stamp(case, facts, RULES)
    assert facts_of(case) == facts
    deadlines = stored_deadlines(case)
    assert deadlines is not None
    assert deadlines.resolution.due_at == OPENED + timedelta(days=3, hours=4)


@settings(max_examples=60, deadline=None)
@given(
    minutes=st.lists(st.integers(min_value=1, max_value=60 * 24 * 20), min_size=1, max_size=6),
    urgency=st.sampled_from(list(Urgency)),
)
def test_waiting_for_the_client_never_brings_resolution_earlier(
    minutes: list[int], urgency: Urgency
) -> None:
    """Whatever the pauses, the resolution due time only moves later; while paused it is
    unknown, unless it had already passed when the pause began."""
    facts = ClockFacts(OPENED, urgency, first_response_met_at=OPENED)
    due = deadline_columns(facts, RULES)["resolution_due_at"]
    moment = OPENED
    statuses = [S.in_progress, S.awaiting_client]
    for n, step in enumerate(minutes):
        moment += timedelta(minutes=step)
        before, after = statuses[n % 2], statuses[(n + 1) % 2]
        facts = after_step(facts, before=before, after=after, now=moment)
        columns = deadline_columns(facts, RULES)
        if after is S.awaiting_client:
            passed = columns["resolution_due_at"]
            assert passed is None or (passed == due and passed <= moment)
        else:
            assert columns["resolution_due_at"] >= due
            due = columns["resolution_due_at"]
