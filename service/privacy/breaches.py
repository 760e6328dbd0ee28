"""The breach register (PDPA s.37(4)): each breach with its 72-hour notification clock.

The decisions are pure (`notification_state`, `assessment_errors`, `closing_errors`); the
service functions record and change breaches, never commit, and answer 404 for what is not
there. Supervisors and admins keep the register; the regulator may be shown it as it stands.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.enums import BreachRisk, NotificationState, VulnerableGroup
from models.privacy import (
    DUE_SOON_HOURS,
    NOTIFICATION_HOURS,
    Breach,
    BreachIn,
    BreachList,
    BreachOut,
    BreachPatch,
)
from models.user import User
from service.platform.errors import (
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    coded_field_error,
)
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor

# ------------------------------------------------------------------------------ decisions


def notification_state(breach: Breach, now: datetime) -> NotificationState:
    """Where the notification to the regulator stands."""
    if breach.regulator_notified_at is not None:
        return NotificationState.notified
    if breach.risk is BreachRisk.unlikely:
        return NotificationState.not_required
    if now >= breach.notify_due_at:
        return NotificationState.overdue
    if now >= breach.notify_due_at - timedelta(hours=DUE_SOON_HOURS):
        return NotificationState.due_soon
    return NotificationState.on_time


def assessment_errors(risk: BreachRisk, vulnerable: list[VulnerableGroup]) -> list[dict[str, str]]:
    """A breach touching vulnerable people cannot be judged unlikely to harm them."""
    if vulnerable and risk is BreachRisk.unlikely:
        return [coded_field_error("/risk", "breach_vulnerable")]
    return []


def time_errors(
    times: dict[str, datetime | None], *, detected_at: datetime, now: datetime
) -> list[dict[str, str]]:
    """Times a breach records: never in the future, never before the detection."""
    errors = []
    for name, at in times.items():
        if at is None:
            continue
        if at > now:
            errors.append(coded_field_error(f"/{name}", "future"))
        elif at < detected_at:
            errors.append(coded_field_error(f"/{name}", "before_detection"))
    return errors


def closing_errors(breach: Breach) -> list[dict[str, str]]:
    """What must have happened before a breach is closed."""
    errors = []
    if breach.risk is not BreachRisk.unlikely and breach.regulator_notified_at is None:
        errors.append(coded_field_error("/closed", "breach_regulator"))
    if breach.risk is BreachRisk.high and breach.subjects_notified_at is None:
        errors.append(coded_field_error("/closed", "breach_subjects"))
    return errors


def etag(breach: Breach) -> str:
    return f'"{breach.version}"'


def breach_out(breach: Breach, now: datetime) -> BreachOut:
    return BreachOut(
        id=breach.id,
        detected_at=breach.detected_at,
        notify_due_at=breach.notify_due_at,
        notification=notification_state(breach, now),
        seconds_to_due=int((breach.notify_due_at - now).total_seconds()),
        description=breach.description,
        data_categories=breach.data_categories,
        subjects_affected=breach.subjects_affected,
        vulnerable_subjects=breach.vulnerable_subjects,
        risk=breach.risk,
        risk_assessment=breach.risk_assessment,
        regulator_notified_at=breach.regulator_notified_at,
        subjects_notified_at=breach.subjects_notified_at,
        closed_at=breach.closed_at,
        recorded_by=breach.recorded_by_id,
        created_at=breach.created_at,
        updated_at=breach.updated_at,
        version=breach.version,
    )


# ------------------------------------------------------------------------------ services


async def record_breach(
    session: AsyncSession, *, user: User, data: BreachIn, now: datetime
) -> BreachOut:
    """Record a breach as it was detected; its notification is due 72 hours later."""
    errors = time_errors({"detected_at": data.detected_at}, detected_at=data.detected_at, now=now)
    errors += assessment_errors(data.risk, data.vulnerable_subjects)
    if errors:
        raise Unprocessable(errors=errors)
    breach = Breach(
        detected_at=data.detected_at,
        notify_due_at=data.detected_at + timedelta(hours=NOTIFICATION_HOURS),
        description=data.description,
        data_categories=list(dict.fromkeys(c.value for c in data.data_categories)),
        subjects_affected=data.subjects_affected,
        vulnerable_subjects=list(dict.fromkeys(v.value for v in data.vulnerable_subjects)),
        risk=data.risk,
        risk_assessment=data.risk_assessment,
        recorded_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(breach)
    await session.flush()
    return breach_out(breach, now)


async def read_breach(session: AsyncSession, *, breach_id: uuid.UUID, now: datetime) -> Breach:
    breach = await session.get(Breach, breach_id)
    if breach is None:
        raise NotFound(code="breach.not_found")
    return breach


async def list_breaches(
    session: AsyncSession, *, open_only: bool, limit: int, cursor: str | None, now: datetime
) -> BreachList:
    """Open breaches soonest notification due first, or every breach newest detected first."""
    query = sa.select(Breach)
    if open_only:
        order = (col(Breach.notify_due_at), col(Breach.id))
        query = query.where(col(Breach.closed_at).is_(None))
        if cursor:
            at, after = decode_time_id_cursor(cursor)
            query = query.where(sa.tuple_(*order) > sa.tuple_(sa.literal(at), sa.literal(after)))
        query = query.order_by(*order)
    else:
        order = (col(Breach.detected_at), col(Breach.id))
        if cursor:
            at, after = decode_time_id_cursor(cursor)
            query = query.where(sa.tuple_(*order) < sa.tuple_(sa.literal(at), sa.literal(after)))
        query = query.order_by(*(column.desc() for column in order))
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_time_id_cursor(
            last.notify_due_at if open_only else last.detected_at, last.id
        )
    return BreachList(items=[breach_out(b, now) for b in page], next_cursor=next_cursor)


def _check_if_match(breach: Breach, if_match: str | None) -> None:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            code="breach.if_match",
            errors=[{"header": "If-Match", "detail": "required", "type": "missing"}],
        )
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag(breach) not in tags:
        raise PreconditionFailed(code="breach.stale", extra={"current_etag": etag(breach)})


async def change_breach(
    session: AsyncSession,
    *,
    breach_id: uuid.UUID,
    data: BreachPatch,
    if_match: str | None,
    now: datetime,
) -> Breach:
    """A new assessment, the notifications made, or closing; all checked before any is kept."""
    breach = await session.get(Breach, breach_id, with_for_update=True)
    if breach is None:
        raise NotFound(code="breach.not_found")
    _check_if_match(breach, if_match)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"closed"})
    errors = [
        coded_field_error(f"/{name}", "null")
        for name, value in changes.items()
        if value is None and name not in {"subjects_affected"}
    ]
    errors += time_errors(
        {k: changes.get(k) for k in ("regulator_notified_at", "subjects_notified_at")},
        detected_at=breach.detected_at,
        now=now,
    )
    risk = changes.get("risk") or breach.risk
    vulnerable = changes.get("vulnerable_subjects", breach.vulnerable_subjects) or []
    errors += assessment_errors(risk, [VulnerableGroup(v) for v in vulnerable])
    if errors:
        raise Unprocessable(errors=errors)
    for name, value in changes.items():
        if isinstance(value, list):
            value = list(dict.fromkeys(getattr(v, "value", v) for v in value))
        setattr(breach, name, value)
    if data.closed is True and breach.closed_at is None:
        closing = closing_errors(breach)
        if closing:
            raise Unprocessable(errors=closing)
        breach.closed_at = now
    elif data.closed is False:
        breach.closed_at = None
    breach.version += 1
    breach.updated_at = now
    await session.flush()
    return breach
