"""The plan of what people do to each demo case: it reaches the case's final status."""

from __future__ import annotations

from models.enums import CaseStatus, Role, Urgency
from service.demo.cases import demo_cases
from service.demo.handling import handling


def test_handling_reaches_the_final_status() -> None:
    for spec in demo_cases():
        steps = handling(spec)
        status = CaseStatus.new
        for step in steps:
            if step.kind in ("screen",):
                status = CaseStatus.screened
            elif step.kind in ("take", "reopen"):
                status = CaseStatus.in_progress
            elif step.kind == "move":
                assert step.to is not None
                status = step.to
            elif step.kind == "close":
                status = CaseStatus.closed
                if spec.decided_urgency is Urgency.critical:
                    assert step.by is Role.supervisor
        assert status is spec.ends, spec.key


def test_the_lead_takes_the_case_on_after_screening_and_makes_the_working_steps() -> None:
    taken = 0
    for spec in demo_cases():
        steps = handling(spec)
        kinds = [step.kind for step in steps]
        if "take" not in kinds:
            assert all(step.kind in ("screen", "close") for step in steps), spec.key
            continue
        taken += 1
        take = kinds.index("take")
        assert kinds[take - 1] == "screen", spec.key
        assert steps[take].by is spec.lead
        assert all(s.by is spec.lead for s in steps if s.kind in ("note", "move")), spec.key
    assert taken >= 30
