"""Seeding the demo: fifty-one realistic cases made through the real services, seeded once."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlmodel import col

from auth.passwords import verify_password
from models.base import utcnow
from models.case import Case, CaseNote, DuplicateLink
from models.enums import (
    CaseEventType,
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    DuplicateStatus,
    IdType,
    ReporterRelationship,
    Role,
    Urgency,
)
from models.events import CaseEvent
from models.user import User
from service.cases.events import verify_chain
from service.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from service.demo.agencies import DEMO_ORGANIZATIONS
from service.demo.cases import demo_cases
from service.demo.seed import seed_demo
from service.platform.crypto import audit_key
from service.platform.errors import Forbidden
from service.platform.settings import Environment
from tests.conftest import make_settings

DEMO_CASES = demo_cases()
REFERENCE = re.compile(r"^OS-25\d{2}-\d{6}$")
DEMO_REFERENCES = {spec.client_reference for spec in DEMO_CASES}
SEEDED_STATUSES = {s for s in CaseStatus if s is not CaseStatus.referred}


async def _demo_cases(session) -> list[Case]:
    rows = await session.execute(
        sa.select(Case).where(col(Case.client_reference).in_(DEMO_REFERENCES))
    )
    return list(rows.scalars())


async def _count(session, model) -> int:
    return (await session.execute(sa.select(sa.func.count()).select_from(model))).scalar_one()


# --------------------------------------------------------------------------- seeding


async def test_seeding_creates_the_demo_cases_once(session, settings) -> None:
    before_cases = await _count(session, Case)
    first = await seed_demo(session, settings=settings, now=utcnow())
    assert first == {
        "accounts": 6,
        "organizations": 13,
        "organizations_created": 13,
        "profiles_created": 2,
        "cases": len(DEMO_CASES),
        "cases_created": len(DEMO_CASES),
    }

    seeded = await _demo_cases(session)
    assert len(seeded) == len(DEMO_CASES)
    assert await _count(session, Case) == before_cases + len(DEMO_CASES)
    by_reference = {case.client_reference: case for case in seeded}
    by_key = {spec.key: by_reference[spec.client_reference] for spec in DEMO_CASES}

    references = [case.reference for case in seeded]
    assert all(REFERENCE.match(reference) for reference in references)
    assert len(set(references)) == len(references)
    assert {Category(c) for case in seeded for c in case.categories} == set(Category)
    assert {case.status for case in seeded} == SEEDED_STATUSES
    assert {case.channel for case in seeded} == set(Channel)
    assert {case.urgency for case in seeded} == set(Urgency)
    assert len({case.province_code for case in seeded}) >= 8
    assert {case.reporter_relationship for case in seeded} == set(ReporterRelationship)
    closed = [case for case in seeded if case.status is CaseStatus.closed]
    assert {case.closure_reason for case in closed} == set(ClosureReason)
    for spec in DEMO_CASES:
        case = by_key[spec.key]
        assert case.status is spec.ends, spec.key
        assert case.closure_reason is (spec.closure if spec.ends is CaseStatus.closed else None)
        assert case.summary == spec.summary
        assert case.created_at < case.updated_at or spec.ends is CaseStatus.new

    accounts = {
        user.username: user
        for user in (
            await session.execute(sa.select(User).where(col(User.username).like("demo.%")))
        ).scalars()
    }
    assert sorted(accounts) == sorted(username for username, _, _ in DEMO_ACCOUNTS)
    for user in accounts.values():
        assert await verify_password(DEMO_PASSWORD, user.password_hash), user.username
    assert {name: accounts[name].organization_id for name in DEMO_ORGANIZATIONS} == (
        DEMO_ORGANIZATIONS
    )
    assert all(
        (user.organization_id is not None) == (user.role is Role.agency)
        for user in accounts.values()
    )
    by_role = {user.role: user for user in accounts.values() if user.username != "demo.hospital"}
    for spec in DEMO_CASES:
        case = by_key[spec.key]
        assert case.created_by_id == by_role[spec.reported_by].id, spec.key
        taken_on = spec.ends not in (CaseStatus.new, CaseStatus.screened) and spec.closure not in (
            ClosureReason.duplicate,
            ClosureReason.out_of_scope,
        )
        assert case.lead_id == (by_role[spec.lead].id if taken_on else None), spec.key
    # The volunteer follows the cases they reported from the field; staff lead them.
    volunteer = by_role[Role.volunteer]
    reported = [case for case in seeded if case.created_by_id == volunteer.id]
    assert len([case for case in reported if case.lead_id is not None]) == 10
    assert all(case.lead_id != volunteer.id for case in seeded)

    # Id numbers are sealed like any intake's; ids and phones are stored normalised.
    with_ids = [case for case in seeded if case.client_id_type is IdType.thai_id]
    assert with_ids and all(c.client_id_number_enc and c.client_id_hash for c in with_ids)
    assert all(case.client_phone is None or case.client_phone.startswith("+66") for case in seeded)
    # Buddhist Era birth years became Common Era ones.
    assert by_key["older-alone-phra-nakhon"].client_birth_year == 2484 - 543

    # The repeat report closed as a duplicate of the original; the daughter's call about the
    # older woman is left as an open possible duplicate for a caseworker to decide.
    repeat = by_key["family-violence-tha-phra-repeat-report"]
    original = by_key["family-violence-tha-phra"]
    assert repeat.duplicate_of_id == original.id
    links = (
        await session.execute(
            sa.select(DuplicateLink).where(
                col(DuplicateLink.case_id).in_([case.id for case in seeded])
            )
        )
    ).scalars()
    decided = {(link.case_id, link.candidate_id): link.status for link in links}
    assert decided == {
        (repeat.id, original.id): DuplicateStatus.confirmed,
        (
            by_key["older-alone-phra-nakhon-daughter-call"].id,
            by_key["older-alone-phra-nakhon"].id,
        ): DuplicateStatus.open,
    }
    reopened = [
        event
        for event in (
            await session.execute(sa.select(CaseEvent).where(col(CaseEvent.case_id) == original.id))
        ).scalars()
        if event.type is CaseEventType.status_changed and event.changes["status"][0] == "closed"
    ]
    assert len(reopened) == 1
    assert reopened[0].data["reason"]

    notes = await _count(session, CaseNote)
    events = await _count(session, CaseEvent)
    assert notes >= sum(len(spec.notes) for spec in DEMO_CASES)

    again = await seed_demo(session, settings=settings, now=utcnow())
    assert again == {
        "accounts": 6,
        "organizations": 13,
        "organizations_created": 0,
        "profiles_created": 0,
        "cases": len(DEMO_CASES),
        "cases_created": 0,
    }
    assert await _count(session, Case) == before_cases + len(DEMO_CASES)
    assert await _count(session, CaseNote) == notes
    assert await _count(session, CaseEvent) == events


async def test_every_demo_case_has_an_intact_event_chain(session, settings) -> None:
    await seed_demo(session, settings=settings, now=utcnow())
    key = audit_key(settings.data_key)
    seeded = await _demo_cases(session)
    assert len(seeded) == len(DEMO_CASES)
    kinds: Counter[CaseEventType] = Counter()
    for case in seeded:
        events = list(
            (
                await session.execute(
                    sa.select(CaseEvent)
                    .where(col(CaseEvent.case_id) == case.id)
                    .order_by(col(CaseEvent.seq))
                )
            ).scalars()
        )
        assert events[0].type is CaseEventType.created
        assert (
            verify_chain(
                key,
                case_id=case.id,
                events=events,
                anchor_count=case.event_count,
                anchor_hash=case.last_event_hash,
            )
            == []
        ), case.reference
        times = [event.occurred_at for event in events]
        assert times == sorted(times), case.reference
        kinds.update(event.type for event in events)
        types = [event.type for event in events]
        # No offers are made up: whoever leads took the case on from screened, themselves.
        assert CaseEventType.offered not in types and CaseEventType.offer_accepted not in types
        if case.lead_id is not None:
            (took,) = [event for event in events if "lead_id" in event.changes]
            assert took.type is CaseEventType.status_changed
            assert took.changes["status"] == ["screened", "in_progress"]
            assert took.changes["lead_id"] == [None, str(case.lead_id)]
            assert took.actor_id == case.lead_id
    for kind in (
        CaseEventType.screened,
        CaseEventType.status_changed,
        CaseEventType.note_added,
        CaseEventType.duplicate_flagged,
    ):
        assert kinds[kind] > 0, kind


@pytest.mark.parametrize("environment", [Environment.production, Environment.staging])
async def test_seeding_is_refused_outside_development(session, environment) -> None:
    settings = make_settings(environment=environment, jwt_secret="p" * 40, data_key="k" * 40)
    before = await _count(session, Case), await _count(session, User)
    with pytest.raises(Forbidden, match="only for development"):
        await seed_demo(session, settings=settings, now=utcnow())
    assert (await _count(session, Case), await _count(session, User)) == before


async def test_the_demo_volunteer_is_suggested_for_a_screened_demo_case(session, settings) -> None:
    """The README's walk: a screened Bangkok demo case can be offered to the demo volunteer."""
    import sqlalchemy as sa
    from sqlmodel import col

    from models.case import Case
    from models.enums import CaseStatus, Role
    from models.user import User
    from service.routing.people import rank_people

    await seed_demo(session, settings=settings, now=utcnow())
    volunteer = (
        await session.execute(sa.select(User).where(col(User.username) == "demo.volunteer"))
    ).scalar_one()
    case = (
        await session.execute(
            sa.select(Case).where(
                col(Case.status) == CaseStatus.screened, col(Case.province_code) == "10"
            )
        )
    ).scalar_one()
    ranking = await rank_people(session, case=case, now=utcnow())
    ranked = {r.helper.user_id: r for r in ranking.ranked}
    assert volunteer.id in ranked
    assert {r.helper.role for r in ranking.ranked} == {Role.volunteer, Role.caseworker}
