"""The case lifecycle (SPEC §3) in one table, with who may make each step.

Pure decisions only; `service.cases.transitions` applies them. Steps marked `system` happen as
a side effect elsewhere (an offer accepted, a referral sent or answered) and are never
accepted from `POST /cases/{id}/transitions`.

Decisions written down:
- `screened → in_progress` is normally an accepted offer (routing). Until routing exists, and
  afterwards for a caseworker who takes a case on directly, a caseworker or supervisor may make
  the step; if the case has no lead, they become its lead.
- The lead of a case (volunteers included) makes the working steps: `in_progress ⇄
  awaiting_client`, `in_progress → resolved`, `resolved → in_progress`.
- Closing needs a closure reason; `new`/`screened` close only as `duplicate` or
  `out_of_scope`. Caseworkers may not close a critical case; supervisors may.
- Reopening (`closed → in_progress`) is for supervisors and needs a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from auth.policy import STAFF
from models.enums import CaseStatus, ClosureReason, Role, Urgency

S = CaseStatus
SUPERVISOR = frozenset({Role.supervisor})
EARLY_CLOSURE = frozenset({ClosureReason.duplicate, ClosureReason.out_of_scope})


@dataclass(frozen=True, slots=True)
class Step:
    roles: frozenset[Role] = frozenset()
    lead_may: bool = False
    system: bool = False
    needs_reason: bool = False
    closure_reasons: frozenset[ClosureReason] | None = None


TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], Step] = {
    (S.new, S.screened): Step(roles=STAFF),
    (S.new, S.closed): Step(roles=STAFF, closure_reasons=EARLY_CLOSURE),
    (S.screened, S.closed): Step(roles=STAFF, closure_reasons=EARLY_CLOSURE),
    (S.screened, S.in_progress): Step(roles=STAFF),
    (S.in_progress, S.awaiting_client): Step(roles=STAFF, lead_may=True),
    (S.awaiting_client, S.in_progress): Step(roles=STAFF, lead_may=True),
    (S.in_progress, S.referred): Step(system=True),
    (S.referred, S.in_progress): Step(system=True),
    (S.in_progress, S.resolved): Step(roles=STAFF, lead_may=True),
    (S.resolved, S.in_progress): Step(roles=STAFF, lead_may=True),
    (S.resolved, S.closed): Step(roles=STAFF, closure_reasons=frozenset(ClosureReason)),
    (S.closed, S.in_progress): Step(roles=SUPERVISOR, needs_reason=True),
}


class Refusal(Exception):
    """Why a transition is refused; `kind` maps to the HTTP answer.

    `code` names the answer's words in `service.platform.messages`: a detail (`DETAILS`) for a
    forbidden step, a field sentence (`FIELD_TEXT`) for an unprocessable one at `pointer`, none
    for an invalid one (its problem type says it, with the allowed statuses). `message` is the
    English explanation, for tests and logs.
    """

    def __init__(
        self, kind: str, message: str, pointer: str | None = None, *, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind  # "invalid" (409), "forbidden" (403) or "unprocessable" (422)
        self.message = message
        self.pointer = pointer
        self.code = code


def next_statuses(current: CaseStatus) -> list[CaseStatus]:
    """Statuses a caller can ask for from `current` (system steps excluded)."""
    return [to for (frm, to), step in TRANSITIONS.items() if frm is current and not step.system]


def may_make(step: Step, *, role: Role, is_lead: bool) -> bool:
    return role in step.roles or (step.lead_may and is_lead)


def check_transition(
    *,
    current: CaseStatus,
    target: CaseStatus,
    role: Role,
    is_lead: bool,
    urgency: Urgency,
    reason: str | None,
    closure_reason: ClosureReason | None,
    has_duplicate_of: bool,
) -> Step:
    """The step from `current` to `target` if this caller may make it now, else `Refusal`."""
    step = TRANSITIONS.get((current, target))
    if step is None or step.system:
        raise Refusal("invalid", f"A case cannot move from {current.value} to {target.value}.")
    if not may_make(step, role=role, is_lead=is_lead):
        raise Refusal(
            "forbidden",
            f"Your role may not move a case from {current.value} to {target.value}.",
            code="transition.role",
        )
    if target is S.closed:
        if closure_reason is None:
            raise Refusal(
                "unprocessable",
                "Closing needs a closure reason.",
                "/closure_reason",
                code="missing",
            )
        if step.closure_reasons is not None and closure_reason not in step.closure_reasons:
            allowed = ", ".join(sorted(r.value for r in step.closure_reasons))
            raise Refusal(
                "unprocessable",
                f"From {current.value} a case closes only as: {allowed}.",
                "/closure_reason",
                code="closure_early",
            )
        if closure_reason is ClosureReason.duplicate and not has_duplicate_of:
            raise Refusal(
                "unprocessable",
                "A duplicate names the case it duplicates.",
                "/duplicate_of",
                code="missing",
            )
        if closure_reason is not ClosureReason.duplicate and has_duplicate_of:
            raise Refusal(
                "unprocessable",
                "duplicate_of goes only with a duplicate closure.",
                "/duplicate_of",
                code="duplicate_only",
            )
        if urgency is Urgency.critical and role is not Role.supervisor:
            raise Refusal(
                "forbidden",
                "Only a supervisor may close a critical case.",
                code="transition.critical",
            )
    elif closure_reason is not None:
        raise Refusal(
            "unprocessable",
            "Only closing takes a closure reason.",
            "/closure_reason",
            code="closing_only",
        )
    elif has_duplicate_of:
        raise Refusal(
            "unprocessable",
            "Only closing as a duplicate names one.",
            "/duplicate_of",
            code="closing_only",
        )
    if step.needs_reason and not reason:
        raise Refusal("unprocessable", "This step needs a reason.", "/reason", code="missing")
    return step
