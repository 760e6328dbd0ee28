"""Offers of a case to one helper: how long one waits, how one reads, making one, and the
list of a helper's own offers. Deciding to offer and answering are in
`service.routing.assignment`; what follows a declined or expired offer in
`service.routing.follow_up`.

An offer waits for its answer for a time set by urgency (settings `ONESTOP_OFFER_MINUTES_*`:
critical 15 min, high 1 h, normal 4 h, low 24 h). A pending offer past that reads as expired.
An offer whose case is resolved, closed or restricted before it is answered is withdrawn and
leaves its helper's list of offers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.base import UTCDateTime
from models.case import Case
from models.enums import CaseEventType, DecisionKind, OfferStatus, Urgency
from models.routing import CaseRouting, Offer, OfferList, OfferOut, RoutingDecision
from models.user import User
from service.cases.events import append_event
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.platform.settings import Settings
from service.routing.decisions import new_decision
from service.routing.ranking import Ranked, Ranking
from service.routing.suggestions import candidate_json, candidates_record

RECORDED_CANDIDATES = 10


def offer_lifetime(settings: Settings, urgency: Urgency) -> timedelta:
    """How long an offer of a case of this urgency waits for an answer."""
    minutes = {
        Urgency.critical: settings.offer_minutes_critical,
        Urgency.high: settings.offer_minutes_high,
        Urgency.normal: settings.offer_minutes_normal,
        Urgency.low: settings.offer_minutes_low,
    }[urgency]
    return timedelta(minutes=minutes)


def shown_status(offer: Offer, *, now: datetime) -> OfferStatus:
    """A pending offer past its expiry reads as expired."""
    if offer.status is OfferStatus.pending and offer.expires_at <= now:
        return OfferStatus.expired
    return offer.status


def offer_out(
    offer: Offer, *, case_reference: str, user_name: str | None, now: datetime
) -> OfferOut:
    return OfferOut(
        id=offer.id,
        case_id=offer.case_id,
        case_reference=case_reference,
        user_id=offer.user_id,
        user_name=user_name,
        status=shown_status(offer, now=now),
        offered_by=offer.offered_by_id,
        created_at=offer.created_at,
        expires_at=offer.expires_at,
        answered_at=offer.answered_at,
        decline_reason=offer.decline_reason,
    )


async def pending_offer(session: AsyncSession, *, case_id: uuid.UUID) -> Offer | None:
    """The case's pending offer, if any (the case row must be locked by the caller)."""
    return (await pending_offers(session, case_ids=[case_id])).get(case_id)


async def pending_offers(
    session: AsyncSession, *, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Offer]:
    """The pending offer of each of these cases that has one (their rows locked by the caller),
    in one statement."""
    if not case_ids:
        return {}
    offers = await session.scalars(
        sa.select(Offer)
        .where(col(Offer.case_id).in_(case_ids), col(Offer.status) == OfferStatus.pending)
        .execution_options(populate_existing=True)
    )
    return {offer.case_id: offer for offer in offers}


async def routing_state(session: AsyncSession, *, case_id: uuid.UUID, now: datetime) -> CaseRouting:
    """The case's routing state, made on first use (the case row must be locked)."""
    state = await session.get(CaseRouting, case_id)
    if state is None:
        state = CaseRouting(case_id=case_id, updated_at=now)
        session.add(state)
    return state


async def routing_states(
    session: AsyncSession, *, case_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, CaseRouting]:
    """The routing state of each of these cases, read in one statement and made where missing
    (their rows locked by the caller; states made and not yet flushed are not seen)."""
    if not case_ids:
        return {}
    found = await session.scalars(
        sa.select(CaseRouting).where(col(CaseRouting.case_id).in_(case_ids))
    )
    states = {state.case_id: state for state in found}
    for case_id in case_ids:
        if case_id not in states:
            states[case_id] = CaseRouting(case_id=case_id, updated_at=now)
            session.add(states[case_id])
    return states


@dataclass(frozen=True, slots=True)
class OfferChoice:
    """A locked case to offer, the ranking it was chosen from and the one chosen."""

    case: Case
    ranking: Ranking
    chosen: Ranked


async def offer_to(
    session: AsyncSession,
    *,
    settings: Settings,
    case: Case,
    ranking: Ranking,
    chosen: Ranked,
    by: User | None,
    now: datetime,
) -> tuple[Offer, str]:
    """Offer the locked `case` to `chosen`, logging the decision (`by` None: routing chose)."""
    (offer,) = await offer_each(
        session, settings=settings, choices=[OfferChoice(case, ranking, chosen)], by=by, now=now
    )
    return offer, chosen.helper.display_name


async def offer_each(
    session: AsyncSession,
    *,
    settings: Settings,
    choices: Sequence[OfferChoice],
    by: User | None,
    now: datetime,
    states: dict[uuid.UUID, CaseRouting] | None = None,
) -> list[Offer]:
    """Offer each locked case to its chosen helper, logging each decision (`by` None: routing
    chose), in a few statements however many cases: the decisions, then the offers, their
    routing states (those given, else read) and events."""
    decisions = [_decision(choice, by=by, now=now) for choice in choices]
    session.add_all(decisions)
    await session.flush()  # an offer names its decision
    if states is None:
        states = await routing_states(session, case_ids=[c.case.id for c in choices], now=now)
    offers: list[Offer] = []
    for choice, decision in zip(choices, decisions, strict=True):
        case = choice.case
        offer = Offer(
            case_id=case.id,
            user_id=choice.chosen.helper.user_id,
            offered_by_id=by.id if by else None,
            decision_id=decision.id,
            created_at=now,
            expires_at=now + offer_lifetime(settings, case.urgency),
        )
        session.add(offer)
        offers.append(offer)
        state = states[case.id]
        state.needs_routing = False
        state.updated_at = now
        await append_event(
            session,
            secret=settings.data_key,
            case=case,
            type_=CaseEventType.offered,
            actor_id=by.id if by else None,
            now=now,
            data={
                "offer_id": str(offer.id),
                "user_id": str(offer.user_id),
                "expires_at": offer.expires_at.isoformat(),
                "decision_id": str(decision.id),
                "by": "staff" if by else "auto",
            },
        )
    await session.flush()
    return offers


def _decision(choice: OfferChoice, *, by: User | None, now: datetime) -> RoutingDecision:
    """The decision log entry of an offer: the first candidates, and the chosen one if not
    among them."""
    ranking, chosen = choice.ranking, choice.chosen
    candidates = candidates_record(ranking, limit=RECORDED_CANDIDATES)
    if all(c["user_id"] != str(chosen.helper.user_id) for c in candidates):
        candidates.append(candidate_json(ranking, chosen))
    return new_decision(
        case_id=choice.case.id,
        kind=DecisionKind.offer,
        candidates=candidates,
        chosen=chosen.helper.user_id,
        chosen_by_id=by.id if by else None,
        now=now,
    )


async def list_my_offers(
    session: AsyncSession, *, user: User, limit: int, cursor: str | None, now: datetime
) -> OfferList:
    """Offers made to the caller, newest first, a page at a time; withdrawn ones are left out
    (their case was resolved, closed or restricted before the caller answered)."""
    query = (
        sa.select(Offer, col(Case.reference))
        .join(Case, col(Case.id) == col(Offer.case_id))
        .where(col(Offer.user_id) == user.id, col(Offer.status) != OfferStatus.withdrawn)
        .order_by(col(Offer.created_at).desc(), col(Offer.id).desc())
        .limit(limit + 1)
    )
    if cursor:
        at, after = decode_time_id_cursor(cursor)
        query = query.where(
            sa.tuple_(col(Offer.created_at), col(Offer.id))
            < sa.tuple_(sa.literal(at, UTCDateTime()), sa.literal(after))
        )
    rows = (await session.execute(query)).all()
    page = rows[:limit]
    items = [
        offer_out(offer, case_reference=reference, user_name=user.display_name, now=now)
        for offer, reference in page
    ]
    last = page[-1][0] if page and len(rows) > limit else None
    return OfferList(
        items=items,
        next_cursor=encode_time_id_cursor(last.created_at, last.id) if last else None,
    )
