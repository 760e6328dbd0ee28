"""The breach register's decisions, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.enums import BreachRisk, NotificationState, VulnerableGroup
from models.privacy import Breach
from service.privacy.breaches import (
    assessment_errors,
    closing_errors,
    notification_state,
    time_errors,
)

DETECTED = datetime(2026, 4, 13, 20, 0, tzinfo=UTC)


def _breach(risk: BreachRisk = BreachRisk.risk, **fields) -> Breach:
    return Breach(
        detected_at=DETECTED,
        notify_due_at=DETECTED + timedelta(hours=72),
        description="x",
        risk=risk,
        risk_assessment="x",
        recorded_by_id=uuid.uuid4(),
        **fields,
    )


@pytest.mark.parametrize(
    ("hours_after", "expected"),
    [
        (0, NotificationState.on_time),
        (47.9, NotificationState.on_time),
        (48, NotificationState.due_soon),
        (71.9, NotificationState.due_soon),
        (72, NotificationState.overdue),
        (500, NotificationState.overdue),
    ],
)
def test_the_72_hour_clock(hours_after: float, expected: NotificationState) -> None:
    assert notification_state(_breach(), DETECTED + timedelta(hours=hours_after)) is expected


def test_a_breach_told_or_without_risk_has_no_clock_running() -> None:
    late = DETECTED + timedelta(hours=100)
    assert (
        notification_state(_breach(regulator_notified_at=late), late) is NotificationState.notified
    )
    assert notification_state(_breach(BreachRisk.unlikely), late) is NotificationState.not_required


def test_vulnerable_people_make_a_breach_a_risk() -> None:
    assert assessment_errors(BreachRisk.unlikely, []) == []
    assert assessment_errors(BreachRisk.risk, [VulnerableGroup.children]) == []
    errors = assessment_errors(BreachRisk.unlikely, [VulnerableGroup.victims_of_trafficking])
    assert [e["pointer"] for e in errors] == ["/risk"]


def test_times_are_neither_in_the_future_nor_before_the_detection() -> None:
    now = DETECTED + timedelta(hours=3)
    errors = time_errors(
        {
            "a": DETECTED + timedelta(hours=1),
            "b": now + timedelta(seconds=1),
            "c": DETECTED - timedelta(seconds=1),
            "d": None,
        },
        detected_at=DETECTED,
        now=now,
    )
    assert [(e["pointer"], e["type"]) for e in errors] == [
        ("/b", "future"),
        ("/c", "before_detection"),
    ]


@pytest.mark.parametrize(
    ("risk", "regulator", "subjects", "missing"),
    [
        (BreachRisk.unlikely, False, False, set()),
        (BreachRisk.risk, False, False, {"breach_regulator"}),
        (BreachRisk.risk, True, False, set()),
        (BreachRisk.high, True, False, {"breach_subjects"}),
        (BreachRisk.high, False, False, {"breach_regulator", "breach_subjects"}),
        (BreachRisk.high, True, True, set()),
    ],
)
def test_closing_needs_the_notifications_the_risk_requires(
    risk: BreachRisk, regulator: bool, subjects: bool, missing: set[str]
) -> None:
    told = DETECTED + timedelta(hours=1)
    breach = _breach(
        risk,
        regulator_notified_at=told if regulator else None,
        subjects_notified_at=told if subjects else None,
    )
    assert {e["type"] for e in closing_errors(breach)} == missing
