"""Offering a case (to a person, or to the best suggestion) and the helper's answer.

Decisions written down:
- A case is offered once screened, or while `in_progress` to hand it to another lead; any other
  status is 409. Only one offer of a case is pending at a time (409 otherwise; a partial unique
  index backs this up); a pending offer past its expiry is expired first.
- The person offered must be among the eligible suggestions (409 `offer.ineligible`).
- Answering an offer past its expiry is 409, whether or not `expire_offers` has processed it.
- Accepting makes the helper the lead: a screened case moves to `in_progress`; a case already in
  progress changes lead without a status step. Declining needs a reason, kept on the offer and
  not in the case's history (it may say something about the helper).
- Every step is a case event (`offered`, `offer_accepted`, `offer_declined`).
- Every change takes the case row's lock first, then touches its offers, so two staff offering
  one case, or an answer racing its expiry, are serialised per case and never give two leads.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.case import Case
from models.enums import CaseEventType, CaseStatus, OfferStatus
from models.routing import HelperProfile, Offer, OfferIn, OfferOut
from models.user import User
from service.cases.changes import apply_changes, bump_version
from service.cases.events import append_event
from service.cases.loading import load_case
from service.platform.errors import Conflict, NotFound
from service.platform.settings import Settings
from service.privacy.restriction import refuse_restricted
from service.routing.follow_up import after_failed_offer, expire_offer
from service.routing.offers import offer_out, offer_to, pending_offer, routing_state
from service.routing.people import rank_people
from service.routing.ranking import Ranked, Ranking

OFFERABLE = frozenset({CaseStatus.screened, CaseStatus.in_progress})


async def make_offer(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    body: OfferIn,
    now: datetime,
) -> OfferOut:
    """Offer a case to a person, or to the best suggestion; the choice is logged."""
    case = await load_case(session, user=user, case_id=case_id, lock=True)
    refuse_restricted(case)
    if case.status not in OFFERABLE:
        raise Conflict(code="offer.case_status", extra={"status": case.status.value})
    current = await pending_offer(session, case_id=case.id)
    if current is not None:
        if current.expires_at > now:
            raise Conflict(code="offer.pending", extra={"offer_id": str(current.id)})
        await expire_offer(session, settings=settings, case=case, offer=current, now=now)
        # Counted as a failed offer; the offer being made now is its follow-up.
        state = await routing_state(session, case_id=case.id, now=now)
        state.failed_offers += 1
        state.updated_at = now
    ranking = await rank_people(session, case=case, now=now)
    chosen = _choose(ranking, body=body, case=case)
    offer, name = await offer_to(
        session, settings=settings, case=case, ranking=ranking, chosen=chosen, by=user, now=now
    )
    return offer_out(offer, case_reference=case.reference, user_name=name, now=now)


def _choose(ranking: Ranking, *, body: OfferIn, case: Case) -> Ranked:
    if body.best:
        if not ranking.ranked:
            raise Conflict(code="offer.no_candidate")
        return ranking.ranked[0]
    for ranked in ranking.ranked:
        if ranked.helper.user_id == body.user_id:
            return ranked
    raise Conflict(code="offer.ineligible")


async def _offer_to_answer(
    session: AsyncSession, *, user: User, offer_id: uuid.UUID, now: datetime
) -> tuple[Offer, Case]:
    """The caller's own pending offer and its case, both locked (the case first)."""
    found = await session.get(Offer, offer_id)
    if found is None or found.user_id != user.id:
        raise NotFound(code="offer.not_found")
    case = await session.get(Case, found.case_id, with_for_update=True, populate_existing=True)
    assert case is not None
    offer = await session.get(Offer, offer_id, populate_existing=True)
    assert offer is not None
    if offer.status is not OfferStatus.pending:
        raise Conflict(code="offer.answered", extra={"status": offer.status.value})
    if offer.expires_at <= now:
        raise Conflict(code="offer.expired", extra={"status": OfferStatus.expired.value})
    return offer, case


async def accept_offer(
    session: AsyncSession, *, settings: Settings, user: User, offer_id: uuid.UUID, now: datetime
) -> OfferOut:
    """Accept an offer made to the caller: they become the case's lead."""
    offer, case = await _offer_to_answer(session, user=user, offer_id=offer_id, now=now)
    if case.status not in OFFERABLE:
        raise Conflict(code="offer.case_status", extra={"status": case.status.value})
    changes: dict[str, object] = {"lead_id": user.id}
    if case.status is CaseStatus.screened:
        changes["status"] = CaseStatus.in_progress
    recorded = apply_changes(case, changes)
    bump_version(case, now)
    offer.status = OfferStatus.accepted
    offer.answered_at = now
    profile = await session.get(HelperProfile, user.id)
    if profile is not None:
        profile.last_assigned_at = now
    state = await routing_state(session, case_id=case.id, now=now)
    state.needs_routing = False
    state.updated_at = now
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.offer_accepted,
        actor_id=user.id,
        now=now,
        changes=recorded,
        data={"offer_id": str(offer.id), "user_id": str(user.id)},
    )
    await session.flush()
    return offer_out(offer, case_reference=case.reference, user_name=user.display_name, now=now)


async def decline_offer(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    offer_id: uuid.UUID,
    reason: str,
    now: datetime,
) -> OfferOut:
    """Decline an offer made to the caller, with a reason; routing follows up."""
    offer, case = await _offer_to_answer(session, user=user, offer_id=offer_id, now=now)
    offer.status = OfferStatus.declined
    offer.answered_at = now
    offer.decline_reason = reason
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.offer_declined,
        actor_id=user.id,
        now=now,
        data={"offer_id": str(offer.id), "user_id": str(user.id)},
    )
    await session.flush()
    await after_failed_offer(session, settings=settings, case=case, now=now)
    return offer_out(offer, case_reference=case.reference, user_name=user.display_name, now=now)
