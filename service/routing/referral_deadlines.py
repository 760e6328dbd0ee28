"""Referrals not answered by their deadline: flagged once, and the next agency suggested (or, in
`auto` routing mode, referred to). The background worker (`service.worker.jobs`) calls it.

Decisions written down:
- Overdue is a `requested` referral past `response_due_at`; each is flagged once
  (`overdue_at`, event `referral_overdue`), with the next suitable service: the best suggestion
  for the case among the services it was never referred to (`next_service_id`, shown on the
  referral and in the event). The flagged referral stays open, so the agency may still answer
  late, and the caseworker decides (refer to the suggestion, cancel).
- In `auto` mode, when there is a next service and the gate still allows the groups shared,
  routing refers the case to it (same groups, same basis; an override is not carried on: a
  supervisor's override covered one agency) and cancels the overdue referral, the routing
  decision logged with `auto` as chooser. Without a next service it only flags.
- Several workers at once: rows are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL, and
  the case row too (a case busy with a change is left for the next run), so no referral is
  flagged twice and a worker never waits on a request. SQLite runs one writer at a time.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.agency import Service
from models.case import Case
from models.enums import CaseEventType, ReferralAnswer, ReferralStatus, Role, RoutingMode
from models.referral import Referral
from service.cases.changes import bump_version
from service.cases.events import append_event
from service.platform.settings import Settings
from service.privacy.consent import consent_grants
from service.routing.agency_suggestions import suggest_agencies
from service.routing.referral_sharing import GateRefusal, check_gate, consent_facts, in_group_order
from service.routing.referrals import (
    SUGGESTIONS_CONSIDERED,
    refer,
    referred_services,
    settle,
)
from service.webhooks.outbox import announce_referral

BATCH = 100


def overdue_query(*, now: datetime, batch: int) -> sa.Select[Referral]:
    """The unanswered, unflagged referrals past their deadline, oldest deadline first, claimed
    for this transaction (rows another worker holds are skipped)."""
    return (
        sa.select(Referral)
        .where(
            col(Referral.status) == ReferralStatus.requested,
            col(Referral.overdue_at).is_(None),
            col(Referral.response_due_at) <= now,
        )
        .order_by(col(Referral.response_due_at), col(Referral.id))
        .limit(batch)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


async def flag_overdue_referrals(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int = BATCH
) -> int:
    """Flag each unanswered referral past its deadline once; returns how many were flagged."""
    claimed = (await session.execute(overdue_query(now=now, batch=batch))).scalars().all()
    flagged = 0
    for referral in claimed:
        case = (
            await session.execute(
                sa.select(Case)
                .where(col(Case.id) == referral.case_id)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if case is None:
            continue  # the case is being changed now; the next run flags this one
        await _flag(session, settings=settings, case=case, referral=referral, now=now)
        flagged += 1
    return flagged


async def _flag(
    session: AsyncSession, *, settings: Settings, case: Case, referral: Referral, now: datetime
) -> None:
    suggestions = await suggest_agencies(session, case=case, now=now, limit=SUGGESTIONS_CONSIDERED)
    candidates = suggestions["candidates"]
    tried = await referred_services(session, case_id=case.id)
    following = next((c for c in candidates if uuid.UUID(c["service_id"]) not in tried), None)
    next_id = uuid.UUID(following["service_id"]) if following else None
    referral.overdue_at = now
    referral.next_service_id = next_id
    referral.updated_at = now
    bump_version(case, now)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.referral_overdue,
        actor_id=None,
        now=now,
        data={
            "referral_id": str(referral.id),
            "service_id": str(referral.service_id),
            "organization_id": str(referral.organization_id),
            "response_due_at": referral.response_due_at.isoformat(),
            "next_service_id": str(next_id) if next_id else None,
        },
    )
    await announce_referral(
        session, case=case, referral=referral, step=CaseEventType.referral_overdue, now=now
    )
    await session.flush()
    if settings.routing_mode is not RoutingMode.auto or next_id is None:
        return
    if case.restricted_at is not None:
        return  # a restricted case is never referred (PDPA s.32, s.34)
    groups = in_group_order(referral.groups)
    service = await session.get(Service, next_id)
    assert service is not None
    recorded, withdrawn = await consent_grants(
        session, case_id=case.id, organization_id=service.organization_id, now=now
    )
    facts = consent_facts(case, recorded=recorded, withdrawn=withdrawn)
    try:
        basis = check_gate(facts, groups, role=Role.caseworker, override_reason=None)
    except GateRefusal:
        return
    await refer(
        session,
        settings=settings,
        case=case,
        service=service,
        groups=groups,
        basis=basis,
        reason=referral.reason,
        override_reason=None,
        candidates=candidates,
        by=None,
        now=now,
    )
    await settle(
        session,
        settings=settings,
        case=case,
        referral=referral,
        answer=ReferralAnswer.cancel,
        reason="overdue",
        actor_id=None,
        now=now,
    )
