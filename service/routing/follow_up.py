"""What follows an offer that failed (declined, or expired): in routing mode `auto` the next
candidate is offered, in `manual` the case waits flagged (`needs_routing`) for a caseworker;
after `ONESTOP_ROUTING_MAX_FAILED_OFFERS` failed offers the case is escalated to supervisors
(an `escalated` event, `escalated_at` and the flag) and routing stops offering it by itself.
An escalation ends when its case closes (`escalation_ended_at`) and resumes if it reopens, so
the escalated queue's index holds the open cases' escalations only. A case resolved or closed
or restricted while an offer of it waits has that offer withdrawn (`withdrawn`, an
`offer_withdrawn` event); a restricted case is never offered by routing itself.

The worker (`service.worker.jobs`) calls `expire_offers` every round. It claims the cases of expired
pending offers with `FOR UPDATE SKIP LOCKED` (on PostgreSQL), so several workers never process
one offer twice, and an answer being given at that moment keeps its case.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import CaseEventType, CaseStatus, OfferStatus, RoutingMode
from models.routing import CaseRouting, Offer
from service.cases.events import append_event
from service.platform.settings import Settings
from service.routing.offers import (
    OfferChoice,
    offer_each,
    pending_offer,
    pending_offers,
    routing_state,
    routing_states,
)
from service.routing.people import rank_people_of_cases

EXPIRY_BATCH = 100


async def expire_offer(
    session: AsyncSession, *, settings: Settings, case: Case, offer: Offer, now: datetime
) -> None:
    """Mark a pending offer past its expiry as expired (the case row must be locked)."""
    await _mark_expired(session, settings=settings, case=case, offer=offer, now=now)
    await session.flush()


async def _mark_expired(
    session: AsyncSession, *, settings: Settings, case: Case, offer: Offer, now: datetime
) -> None:
    """`expire_offer` without writing it yet."""
    offer.status = OfferStatus.expired
    offer.answered_at = offer.expires_at
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.offer_expired,
        actor_id=None,
        now=now,
        data={"offer_id": str(offer.id), "user_id": str(offer.user_id)},
    )


async def escalate(
    session: AsyncSession,
    *,
    settings: Settings,
    case: Case,
    now: datetime,
    why: dict[str, Any],
    state: CaseRouting | None = None,
) -> None:
    """Put the locked `case` before supervisors, once: `escalated_at` in its routing state (the
    one given, else read) and an `escalated` event saying `why`."""
    if state is None:
        state = await routing_state(session, case_id=case.id, now=now)
    if state.escalated_at is not None:
        return
    state.escalated_at = now
    state.escalation_ended_at = now if case.status is CaseStatus.closed else None
    state.updated_at = now
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.escalated,
        actor_id=None,
        now=now,
        data=why,
    )


async def follow_case_status(
    session: AsyncSession, *, case: Case, before: CaseStatus, now: datetime
) -> None:
    """End the case's escalation when it closes; resume it when a closed case reopens."""
    closing = case.status is CaseStatus.closed and before is not CaseStatus.closed
    reopening = before is CaseStatus.closed and case.status is not CaseStatus.closed
    if not (closing or reopening):
        return
    await session.execute(
        sa.update(CaseRouting)
        .where(
            col(CaseRouting.case_id) == case.id,
            col(CaseRouting.escalated_at).is_not(None),
            col(CaseRouting.escalation_ended_at).is_(None)
            if closing
            else col(CaseRouting.escalation_ended_at).is_not(None),
        )
        .values(escalation_ended_at=now if closing else None)
    )


WITHDRAWING = frozenset({CaseStatus.resolved, CaseStatus.closed})
"""The statuses whose case's pending offer is withdrawn: nobody is to take up a finished case."""


async def withdraw_pending_offer(
    session: AsyncSession,
    *,
    settings: Settings,
    case: Case,
    actor_id: uuid.UUID | None,
    now: datetime,
) -> Offer | None:
    """Withdraw the locked `case`'s pending offer, if it has one (expired or not), once the case
    is resolved or closed, or restricted (PDPA s.32, s.34: nobody but supervisors is to see it):
    an `offer_withdrawn` event names the offer and its helper, who no longer sees it among
    their offers. Not a failed offer: nothing follows it up."""
    restricted = case.restricted_at is not None
    if case.status not in WITHDRAWING and not restricted:
        return None
    offer = await pending_offer(session, case_id=case.id)
    if offer is None:
        return None
    offer.status = OfferStatus.withdrawn
    offer.answered_at = now
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.offer_withdrawn,
        actor_id=actor_id,
        now=now,
        data={
            "offer_id": str(offer.id),
            "user_id": str(offer.user_id),
            "status": case.status.value,
            **({"restricted": True} if restricted else {}),
        },
    )
    return offer


async def after_failed_offer(
    session: AsyncSession, *, settings: Settings, case: Case, now: datetime
) -> None:
    """Count the failure; escalate, offer the next candidate (`auto`) or flag the case."""
    await after_failed_offers(session, settings=settings, cases=[case], now=now)


async def after_failed_offers(
    session: AsyncSession, *, settings: Settings, cases: Sequence[Case], now: datetime
) -> None:
    """Count each locked case's failed offer; escalate it, offer it to its next candidate
    (`auto`) or flag it. Only a screened case waiting for its first lead is followed up: a
    refused handover leaves the lead in place, and a case closed meanwhile needs no one. The
    cases offered anew are ranked together (`rank_people_of_cases`) and offered together."""
    states = await routing_states(session, case_ids=[case.id for case in cases], now=now)
    to_offer: list[Case] = []
    for case in cases:
        state = states[case.id]
        state.failed_offers += 1
        state.updated_at = now
        if case.status is not CaseStatus.screened or case.lead_id is not None:
            continue
        if state.failed_offers >= settings.routing_max_failed_offers:
            state.needs_routing = True
            why = {"failed_offers": state.failed_offers}
            await escalate(session, settings=settings, case=case, now=now, why=why, state=state)
        elif settings.routing_mode is RoutingMode.auto and case.restricted_at is None:
            to_offer.append(case)
        else:
            state.needs_routing = True
    choices: list[OfferChoice] = []
    if to_offer:
        rankings = await rank_people_of_cases(session, cases=to_offer, now=now)
        for case in to_offer:
            ranking = rankings[case.id]
            if ranking.ranked:
                choices.append(OfferChoice(case, ranking, ranking.ranked[0]))
            else:
                states[case.id].needs_routing = True
    if choices:
        await offer_each(
            session, settings=settings, choices=choices, by=None, now=now, states=states
        )
    await session.flush()


async def expire_offers(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int = EXPIRY_BATCH
) -> int:
    """Process pending offers past their expiry, each once; returns how many were expired.

    A batch takes a few statements whatever its size: the cases claimed, their pending offers,
    the expiries written, then the follow-ups (`after_failed_offers`)."""
    due = (
        sa.select(col(Offer.case_id))
        .where(col(Offer.status) == OfferStatus.pending, col(Offer.expires_at) <= now)
        .order_by(col(Offer.expires_at), col(Offer.id))
        .limit(batch)
    )
    cases = (
        (
            await session.execute(
                sa.select(Case)
                .where(col(Case.id).in_(due.scalar_subquery()))
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    offers = await pending_offers(session, case_ids=[case.id for case in cases])
    expired: list[Case] = []
    for case in cases:
        offer = offers.get(case.id)
        if offer is None or offer.expires_at > now:
            continue  # answered, or offered anew, since it was selected
        await _mark_expired(session, settings=settings, case=case, offer=offer, now=now)
        expired.append(case)
    # The expiries are written before any new pending offer of the same cases.
    await session.flush()
    if expired:
        await after_failed_offers(session, settings=settings, cases=expired, now=now)
    return len(expired)
