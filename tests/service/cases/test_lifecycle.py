"""The lifecycle table and `check_transition`: pure decisions, no database."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.enums import CaseStatus, ClosureReason, Role, Urgency
from service.cases.lifecycle import TRANSITIONS, Refusal, check_transition, next_statuses

S = CaseStatus
STAFF = {Role.caseworker, Role.supervisor}

# Who may make each step: the roles that may always, whether the lead may, system-only.
EXPECTED: dict[tuple[CaseStatus, CaseStatus], tuple[set[Role], bool, bool]] = {
    (S.new, S.screened): (STAFF, False, False),
    (S.new, S.closed): (STAFF, False, False),
    (S.screened, S.closed): (STAFF, False, False),
    (S.screened, S.in_progress): (STAFF, False, False),
    (S.in_progress, S.awaiting_client): (STAFF, True, False),
    (S.awaiting_client, S.in_progress): (STAFF, True, False),
    (S.in_progress, S.referred): (set(), False, True),
    (S.referred, S.in_progress): (set(), False, True),
    (S.in_progress, S.resolved): (STAFF, True, False),
    (S.resolved, S.in_progress): (STAFF, True, False),
    (S.resolved, S.closed): (STAFF, False, False),
    (S.closed, S.in_progress): ({Role.supervisor}, False, False),
}


def _fields(current: CaseStatus, target: CaseStatus) -> dict[str, Any]:
    """The extra fields that make an otherwise allowed move valid."""
    if target is S.closed:
        reason = ClosureReason.resolved if current is S.resolved else ClosureReason.out_of_scope
        return {"closure_reason": reason, "has_duplicate_of": False, "reason": None}
    if current is S.closed:
        return {"closure_reason": None, "has_duplicate_of": False, "reason": "new information"}
    return {"closure_reason": None, "has_duplicate_of": False, "reason": None}


def _check(
    current: CaseStatus,
    target: CaseStatus,
    role: Role,
    *,
    is_lead: bool = False,
    urgency: Urgency = Urgency.normal,
    **fields: Any,
) -> None:
    values = {**_fields(current, target), **fields}
    check_transition(
        current=current, target=target, role=role, is_lead=is_lead, urgency=urgency, **values
    )


def _refusal(*args: Any, **kwargs: Any) -> Refusal:
    with pytest.raises(Refusal) as caught:
        _check(*args, **kwargs)
    return caught.value


def test_the_table_is_the_specified_graph() -> None:
    assert set(TRANSITIONS) == set(EXPECTED)
    for edge, (roles, lead_may, system) in EXPECTED.items():
        step = TRANSITIONS[edge]
        assert set(step.roles) == roles, edge
        assert step.lead_may is lead_may, edge
        assert step.system is system, edge


@pytest.mark.parametrize("edge", list(EXPECTED), ids=lambda e: f"{e[0].value}->{e[1].value}")
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("is_lead", [False, True], ids=["other", "lead"])
def test_who_may_make_each_step(
    edge: tuple[CaseStatus, CaseStatus], role: Role, is_lead: bool
) -> None:
    roles, lead_may, system = EXPECTED[edge]
    current, target = edge
    if system:
        assert _refusal(current, target, role, is_lead=is_lead).kind == "invalid"
    elif role in roles or (lead_may and is_lead):
        _check(current, target, role, is_lead=is_lead)
    else:
        assert _refusal(current, target, role, is_lead=is_lead).kind == "forbidden"


def test_next_statuses_leave_out_system_steps() -> None:
    assert next_statuses(S.new) == [S.screened, S.closed]
    assert next_statuses(S.screened) == [S.closed, S.in_progress]
    assert next_statuses(S.in_progress) == [S.awaiting_client, S.resolved]
    assert next_statuses(S.awaiting_client) == [S.in_progress]
    assert next_statuses(S.referred) == []
    assert next_statuses(S.resolved) == [S.in_progress, S.closed]
    assert next_statuses(S.closed) == [S.in_progress]


@pytest.mark.parametrize("current", list(S), ids=lambda s: s.value)
@pytest.mark.parametrize("target", list(S), ids=lambda s: s.value)
def test_moves_outside_the_table_are_invalid(current: CaseStatus, target: CaseStatus) -> None:
    if (current, target) in TRANSITIONS:
        return
    refusal = _refusal(current, target, Role.supervisor, is_lead=True)
    assert refusal.kind == "invalid"
    assert current.value in refusal.message and target.value in refusal.message


def test_closing_needs_a_closure_reason() -> None:
    refusal = _refusal(S.resolved, S.closed, Role.caseworker, closure_reason=None)
    assert (refusal.kind, refusal.pointer) == ("unprocessable", "/closure_reason")


@pytest.mark.parametrize("current", [S.new, S.screened])
@pytest.mark.parametrize("reason", list(ClosureReason), ids=lambda r: r.value)
def test_early_closure_is_only_duplicate_or_out_of_scope(
    current: CaseStatus, reason: ClosureReason
) -> None:
    has_duplicate_of = reason is ClosureReason.duplicate
    if reason in (ClosureReason.duplicate, ClosureReason.out_of_scope):
        _check(
            current,
            S.closed,
            Role.caseworker,
            closure_reason=reason,
            has_duplicate_of=has_duplicate_of,
        )
        return
    refusal = _refusal(current, S.closed, Role.caseworker, closure_reason=reason)
    assert (refusal.kind, refusal.pointer) == ("unprocessable", "/closure_reason")


@pytest.mark.parametrize("reason", list(ClosureReason), ids=lambda r: r.value)
def test_a_resolved_case_closes_for_any_reason(reason: ClosureReason) -> None:
    has_duplicate_of = reason is ClosureReason.duplicate
    _check(
        S.resolved,
        S.closed,
        Role.caseworker,
        closure_reason=reason,
        has_duplicate_of=has_duplicate_of,
    )


def test_a_duplicate_names_the_case_it_duplicates() -> None:
    refusal = _refusal(S.new, S.closed, Role.caseworker, closure_reason=ClosureReason.duplicate)
    assert (refusal.kind, refusal.pointer) == ("unprocessable", "/duplicate_of")


def test_duplicate_of_goes_only_with_a_duplicate_closure() -> None:
    refusal = _refusal(
        S.resolved,
        S.closed,
        Role.caseworker,
        closure_reason=ClosureReason.resolved,
        has_duplicate_of=True,
    )
    assert (refusal.kind, refusal.pointer) == ("unprocessable", "/duplicate_of")


@pytest.mark.parametrize("current", [S.new, S.screened, S.resolved])
def test_caseworker_may_not_close_a_critical_case_but_a_supervisor_may(
    current: CaseStatus,
) -> None:
    refusal = _refusal(current, S.closed, Role.caseworker, urgency=Urgency.critical)
    assert refusal.kind == "forbidden"
    _check(current, S.closed, Role.supervisor, urgency=Urgency.critical)
    _check(current, S.closed, Role.caseworker, urgency=Urgency.high)


def test_reopening_is_for_a_supervisor_with_a_reason() -> None:
    _check(S.closed, S.in_progress, Role.supervisor, reason="the client came back")
    for role in (Role.caseworker, Role.volunteer, Role.agency, Role.admin):
        assert _refusal(S.closed, S.in_progress, role, is_lead=True).kind == "forbidden"
    for missing in (None, ""):
        refusal = _refusal(S.closed, S.in_progress, Role.supervisor, reason=missing)
        assert (refusal.kind, refusal.pointer) == ("unprocessable", "/reason")


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.new, S.screened), (S.in_progress, S.resolved), (S.closed, S.in_progress)],
)
def test_closure_fields_belong_only_to_closing(current: CaseStatus, target: CaseStatus) -> None:
    refusal = _refusal(current, target, Role.supervisor, closure_reason=ClosureReason.resolved)
    assert (refusal.kind, refusal.pointer) == ("unprocessable", "/closure_reason")
    refusal = _refusal(current, target, Role.supervisor, has_duplicate_of=True)
    assert (refusal.kind, refusal.pointer) == ("unprocessable", "/duplicate_of")


def test_role_is_refused_before_the_fields_are_checked() -> None:
    # A volunteer learns that they may not close, not which fields closing needs.
    refusal = _refusal(S.resolved, S.closed, Role.volunteer, is_lead=True, closure_reason=None)
    assert refusal.kind == "forbidden"


ATTEMPT = st.tuples(
    st.sampled_from(list(S)),
    st.sampled_from(list(Role)),
    st.booleans(),
    st.sampled_from([None, *ClosureReason]),
    st.sampled_from([None, "a reason"]),
    st.booleans(),
    st.sampled_from(list(Urgency)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ATTEMPT, max_size=40))
def test_random_attempts_only_follow_table_edges(attempts: list[tuple[Any, ...]]) -> None:
    status = S.new
    for target, role, is_lead, closure_reason, reason, has_duplicate_of, urgency in attempts:
        try:
            step = check_transition(
                current=status,
                target=target,
                role=role,
                is_lead=is_lead,
                urgency=urgency,
                reason=reason,
                closure_reason=closure_reason,
                has_duplicate_of=has_duplicate_of,
            )
        except Refusal as refusal:
            assert refusal.kind in ("invalid", "forbidden", "unprocessable")
            continue
        assert TRANSITIONS[(status, target)] is step
        assert not step.system
        assert role in step.roles or (step.lead_may and is_lead)
        if status is S.closed:
            assert (target, role) == (S.in_progress, Role.supervisor)
            assert reason
        if target is S.closed:
            assert closure_reason is not None
            if urgency is Urgency.critical:
                assert role is Role.supervisor
        status = target
