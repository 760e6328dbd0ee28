"""The helpers a case's suggestions rank: read per province (`service.routing.helper_pool`),
filtered and counted by the indexed groups of `service.routing.ranking`, the same as checking
every helper one by one.

A varied set of helpers (every reason to leave one out, and the boundaries: a card expiring
today, leave ending now, capacity reached exactly, an offer declined after another expired) is
stored with the case's offers and the helpers' open cases; for several shapes of the case
(subdistrict, district or only the province known, critical or not, no province),
`rank_people` must equal the rules applied helper by helper (`ranked_one_by_one`) over every
helper read whole through the ORM, those outside the province counted as out of area: the same
order, scores, reasons and counts.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import fields
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.base import utcnow
from models.case import Case
from models.enums import CaseStatus, IneligibleReason, OfferStatus, Role, Urgency
from models.routing import HelperArea, HelperProfile, Offer
from models.user import User
from service.routing.people import (
    CaseAndState,
    case_and_state,
    case_needs,
    helper_province,
    rank_people,
    routing_state,
)
from service.routing.ranking import Helper, Ranking, bangkok_date, normalise_language
from service.routing.routed_case import RoutedCase
from tests.conftest import Actor, create_user
from tests.support.cases import anonymous_body, create_case
from tests.support.routing import ranked_one_by_one, screened_case

AREAS = ("10", "1001", "1002", "100101", "100102", "100201", "11", "1101", "110101")
SKILLS = ("older_person", "income_livelihood", "housing", "disability")
LANGUAGES = ("th", "en", " My ", "km")
SHAPES: dict[str, dict[str, Any]] = {
    "subdistrict": {"district_code": "1001", "subdistrict_code": "100101"},
    "district": {"district_code": "1002", "subdistrict_code": None},
    "province": {"district_code": None, "subdistrict_code": None},
    "subdistrict without district": {"district_code": None, "subdistrict_code": "100102"},
    "critical": {"district_code": "1001", "subdistrict_code": None, "urgency": Urgency.critical},
    "no province": {"province_code": None, "district_code": None, "subdistrict_code": None},
}


async def _helpers(session: AsyncSession, rng: random.Random, now: datetime) -> list[User]:
    today = bangkok_date(now)
    users = []
    for position in range(120):
        role = rng.choice([Role.volunteer, Role.volunteer, Role.caseworker, Role.supervisor])
        user = await create_user(session, role, active=rng.random() < 0.9)
        users.append(user)
        card = rng.choice([None, today - timedelta(days=1), today, today + timedelta(days=90)])
        leave = rng.choice([None, None, None, now - timedelta(hours=1), now, now + timedelta(1)])
        session.add(
            HelperProfile(
                user_id=user.id,
                skills=rng.sample(SKILLS, rng.randint(0, 3)),
                languages=rng.sample(LANGUAGES, rng.randint(0, 2)),
                capacity=rng.randint(0, 3),
                available=rng.random() < 0.85,
                leave_until=leave,
                card_expires_on=card if role is Role.volunteer or position % 7 == 0 else None,
                last_assigned_at=rng.choice(
                    [None, now - timedelta(days=rng.randint(0, 45), hours=rng.randint(0, 23))]
                ),
                created_at=now,
                updated_at=now,
            )
        )
        await session.flush()
        session.add_all(
            HelperArea(user_id=user.id, code=code, province_code=code[:2])
            for code in rng.sample(AREAS, rng.randint(0, 3))
        )
    await session.flush()
    return users


async def _offers_and_loads(
    session: AsyncSession,
    client: httpx.AsyncClient,
    caseworker: Actor,
    *,
    case: Case,
    helpers: list[User],
    rng: random.Random,
    now: datetime,
) -> None:
    """The case's earlier offers (declined, expired, one pending past its expiry), and the
    helpers' open cases led, a closed one not counted."""
    answered = rng.sample(helpers, 30)
    for number, helper in enumerate(answered):
        statuses = [
            [OfferStatus.declined],
            [OfferStatus.expired],
            [OfferStatus.expired, OfferStatus.declined],
            [OfferStatus.accepted],
        ][number % 4]
        if number == 0:
            statuses = [OfferStatus.pending]
        for status in statuses:
            expires = now - timedelta(minutes=1) if status is OfferStatus.pending else now
            session.add(
                Offer(
                    case_id=case.id,
                    user_id=helper.id,
                    status=status,
                    created_at=now - timedelta(days=1),
                    expires_at=expires,
                )
            )
    led = [await create_case(client, caseworker.headers, anonymous_body()) for _ in range(8)]
    for number, other in enumerate(led):
        lead = helpers[rng.randrange(10)] if number < 6 else rng.choice(helpers)
        case_status = CaseStatus.closed if number == 0 else CaseStatus.new
        await session.execute(
            sa.update(Case)
            .where(col(Case.id) == uuid.UUID(other["id"]))
            .values(lead_id=lead.id, status=case_status)
        )
    await session.flush()


async def _by_the_pure_ranking(
    session: AsyncSession, *, case: RoutedCase, now: datetime
) -> Ranking:
    """Every helper of the case's province read whole and ranked one by one, and the helpers
    elsewhere counted as out of area."""
    province = helper_province(case)
    profiles = (await session.execute(sa.select(HelperProfile, User).join(User))).all()
    areas: dict[uuid.UUID, set[str]] = {}
    for user_id, code in await session.execute(
        sa.select(col(HelperArea.user_id), col(HelperArea.code))
    ):
        if code[:2] == province:
            areas.setdefault(user_id, set()).add(code)
    loads = Counter(
        (
            await session.execute(
                sa.select(col(Case.lead_id)).where(
                    col(Case.lead_id).is_not(None), col(Case.status) != CaseStatus.closed
                )
            )
        ).scalars()
    )
    answers: dict[uuid.UUID, IneligibleReason] = {}
    offers = await session.execute(sa.select(Offer).where(col(Offer.case_id) == case.id))
    for offer in offers.scalars():
        if offer.status is OfferStatus.declined:
            answers[offer.user_id] = IneligibleReason.declined
        elif offer.status is OfferStatus.expired or (
            offer.status is OfferStatus.pending and offer.expires_at <= now
        ):
            answers.setdefault(offer.user_id, IneligibleReason.expired_offer)
    helpers = [
        Helper(
            user_id=user.id,
            display_name=user.display_name,
            role=user.role,
            is_active=user.is_active,
            available=profile.available,
            leave_until=profile.leave_until,
            skills=frozenset(profile.skills),
            languages=frozenset(normalise_language(lang) for lang in profile.languages),
            areas=frozenset(areas[user.id]),
            capacity=profile.capacity,
            load=loads[user.id],
            card_expires_on=profile.card_expires_on,
            last_assigned_at=profile.last_assigned_at,
            past_answer=answers.get(user.id),
        )
        for profile, user in profiles
        if user.id in areas
    ]
    ranking = ranked_one_by_one(helpers, case_needs(case), now=now)
    elsewhere = len(profiles) - len(helpers)
    if elsewhere:
        ranking.filtered[IneligibleReason.out_of_area] += elsewhere
    return ranking


async def _case_with_history(
    session: AsyncSession, client: httpx.AsyncClient, caseworker: Actor, *, seed: int, now: datetime
) -> Case:
    """A screened case among varied helpers, with its earlier offers and the helpers' loads."""
    rng = random.Random(seed)
    screened = await screened_case(client, caseworker.headers, categories=list(SKILLS[:2]))
    case = await session.get(Case, uuid.UUID(screened["id"]))
    assert case is not None
    helpers = await _helpers(session, rng, now)
    await _offers_and_loads(
        session, client, caseworker, case=case, helpers=helpers, rng=rng, now=now
    )
    return case


def _seen(ranking: Ranking) -> tuple[Any, ...]:
    return (
        [(r.helper.user_id, r.score, r.helper.load, ranking.reasons(r)) for r in ranking.ranked],
        dict(ranking.filtered),
    )


@pytest.mark.parametrize("seed", [1, 2])
async def test_helpers_are_filtered_and_counted_as_the_rules_read_one_by_one(
    session: AsyncSession, client: httpx.AsyncClient, actors: dict[Role, Actor], seed: int
) -> None:
    now = utcnow()
    case = await _case_with_history(session, client, actors[Role.caseworker], seed=seed, now=now)
    reasons_seen: set[IneligibleReason] = set()
    for shape in SHAPES.values():
        shaped = replace_case(case, **shape)
        expected = await _by_the_pure_ranking(session, case=shaped, now=now)
        found = await rank_people(session, case=shaped, now=now)
        assert _seen(found) == _seen(expected)
        reasons_seen |= set(expected.filtered)
    assert reasons_seen == set(IneligibleReason), reasons_seen


def replace_case(case: Case, **fields: Any) -> Case:
    """The case with other location or urgency, not stored (ranking reads only these)."""
    values: dict[str, Any] = {
        "id": case.id,
        "categories": case.categories,
        "client_languages": case.client_languages,
        "province_code": case.province_code,
        "home_province_code": None,
        "urgency": case.urgency,
    }
    values.update(fields)
    return Case(**values)


async def test_a_suggestion_reads_the_case_s_routing_columns_with_its_state(
    session: AsyncSession, client: httpx.AsyncClient, actors: dict[Role, Actor]
) -> None:
    """`case_and_state` (one statement) reads what the case row and `routing_state` hold, and
    whom the case is offered to now: a pending offer before its expiry, not one past it."""
    now = utcnow()
    case = await _case_with_history(session, client, actors[Role.caseworker], seed=3, now=now)
    await session.execute(
        sa.update(Case)
        .where(col(Case.id) == case.id)
        .values(
            client_languages=["th", "km"],
            target_groups=["older_people"],
            client_age_estimate=70,
            client_birth_date=date(1956, 3, 1),
            client_birth_year=2499,
            home_province_code="11",
            restricted_at=now,
        )
    )
    await session.flush()
    await session.refresh(case)

    read = await case_and_state(session, case_id=case.id, now=now)

    assert read is not None
    for field in fields(read.case):
        value, stored = getattr(read.case, field.name), getattr(case, field.name)
        assert (value, type(value)) == (stored, type(stored)), field.name
    assert read.state == await routing_state(session, [case.id], now=now)
    assert read.state.answers[case.id], "the case's declines and expiries are read"
    assert read.offered_to == frozenset(), "the pending offer is past its expiry"

    async def pending_until(expires_at: datetime) -> tuple[uuid.UUID, CaseAndState | None]:
        to = (
            await session.execute(
                sa.update(Offer)
                .where(col(Offer.case_id) == case.id, col(Offer.status) == OfferStatus.pending)
                .values(expires_at=expires_at)
                .returning(col(Offer.user_id))
            )
        ).scalar_one()
        return to, await case_and_state(session, case_id=case.id, now=now)

    _, at_expiry = await pending_until(now)
    assert at_expiry is not None and at_expiry.offered_to == frozenset()
    pending, again = await pending_until(now + timedelta(hours=1))
    assert again is not None
    assert again.offered_to == {pending}
    assert again.state == await routing_state(session, [case.id], now=now)
    assert await case_and_state(session, case_id=uuid.uuid4(), now=now) is None


async def test_a_case_without_offers_reads_as_its_routing_state(
    session: AsyncSession, client: httpx.AsyncClient, actors: dict[Role, Actor]
) -> None:
    screened = await screened_case(client, actors[Role.caseworker].headers)
    now = utcnow()

    read = await case_and_state(session, case_id=uuid.UUID(screened["id"]), now=now)

    assert read is not None
    assert read.offered_to == frozenset()
    assert read.state == await routing_state(session, [read.case.id], now=now)
