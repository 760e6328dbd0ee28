"""What people do to a demo case after intake, in order, to bring it to its final status.

A pure plan, no database: `service.demo.seed` carries each step out through the case services.
A critical case is screened and closed by a supervisor, as the lifecycle requires; every other
step is a caseworker's, or the lead's once the case has one. The lead takes the case on by
moving it from `screened` to `in_progress`, the one service path that makes someone a lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models.enums import CaseStatus, ClosureReason, Role, Urgency
from service.demo.cases import DemoCase

S = CaseStatus

StepKind = Literal["screen", "take", "note", "move", "close", "reopen"]


@dataclass(frozen=True)
class HandlingStep:
    """One thing a person does to a case after intake."""

    kind: StepKind
    by: Role
    to: CaseStatus | None = None
    text: str | None = None
    closure: ClosureReason | None = None


def handling(spec: DemoCase) -> list[HandlingStep]:
    """What happens to a demo case after intake, in order, to reach its final status."""
    senior = Role.supervisor if spec.decided_urgency is Urgency.critical else Role.caseworker
    if spec.duplicate_of is not None:
        return [HandlingStep("close", Role.caseworker, closure=ClosureReason.duplicate)]
    if spec.ends is S.new:
        return []
    steps = [HandlingStep("screen", senior)]
    if spec.ends is S.screened:
        return steps
    if spec.closure is ClosureReason.out_of_scope:
        return [*steps, HandlingStep("close", senior, closure=ClosureReason.out_of_scope)]
    lead = spec.lead
    steps.append(HandlingStep("take", lead))
    notes = [HandlingStep("note", lead, text=text) for text in spec.notes]
    steps += notes[:1]
    if spec.detour:
        steps += [
            HandlingStep("move", lead, to=S.awaiting_client),
            HandlingStep("move", lead, to=S.in_progress),
        ]
    steps += notes[1:]
    if spec.ends is S.awaiting_client:
        return [*steps, HandlingStep("move", lead, to=S.awaiting_client)]
    if spec.ends is S.in_progress and spec.reopen is None:
        return steps
    steps.append(HandlingStep("move", lead, to=S.resolved))
    if spec.ends is S.resolved:
        return steps
    steps.append(HandlingStep("close", senior, closure=spec.closure or ClosureReason.resolved))
    if spec.reopen is not None:
        steps += [
            HandlingStep("reopen", Role.supervisor, text=spec.reopen.reason),
            HandlingStep("note", lead, text=spec.reopen.note),
        ]
    return steps
