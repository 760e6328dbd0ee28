"""Demo data: fifty realistic cases made through the real services, seeded once."""

from __future__ import annotations

import re
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlmodel import col

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
from service.cases.intake import check_intake
from service.demo.seed import DEMO_CASES, demo_intake, demo_location, handling, seed_demo, thai_id
from service.platform.crypto import audit_key
from service.platform.errors import Forbidden
from service.platform.settings import Environment
from service.thai.areas import check_location
from service.thai.ids import is_valid_thai_id
from tests.conftest import make_settings

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


# --------------------------------------------------------------------------- the data itself


def test_the_demo_cases_cover_what_a_center_sees() -> None:
    assert 45 <= len(DEMO_CASES) <= 60
    assert len({spec.key for spec in DEMO_CASES}) == len(DEMO_CASES)
    assert {c for spec in DEMO_CASES for c in spec.categories} == set(Category)
    assert {spec.ends for spec in DEMO_CASES} == SEEDED_STATUSES
    assert {spec.channel for spec in DEMO_CASES} == set(Channel)
    assert {spec.decided_urgency for spec in DEMO_CASES} == set(Urgency)
    relationships = {spec.reporter["relationship"] for spec in DEMO_CASES}
    assert relationships == {r.value for r in ReporterRelationship}
    closures = {spec.closure for spec in DEMO_CASES if spec.ends is CaseStatus.closed}
    assert closures == set(ClosureReason)
    id_types = {spec.client.get("id_type", "unknown") for spec in DEMO_CASES}
    assert id_types == {t.value for t in IdType}
    assert len({spec.area[:2] for spec in DEMO_CASES}) >= 8
    assert any(spec.client.get("birth_year", 0) >= 2400 for spec in DEMO_CASES)
    assert any(spec.client.get("birth_date", "0").startswith("25") for spec in DEMO_CASES)
    assert any(spec.reporter.get("anonymous") for spec in DEMO_CASES)
    thai_script = re.compile("[\u0e00-\u0e7f]")
    assert all(thai_script.search(spec.summary) for spec in DEMO_CASES)


def test_volunteers_never_lead_critical_cases() -> None:
    led = [spec for spec in DEMO_CASES if spec.lead is Role.volunteer]
    assert len(led) >= 5
    assert all(spec.decided_urgency is not Urgency.critical for spec in led)


def test_thai_ids_carry_a_valid_check_digit() -> None:
    assert thai_id("110170023070") == "1101700230708"
    numbers = [
        spec.client["id_number"]
        for spec in DEMO_CASES
        if spec.client.get("id_type") in ("thai_id", "non_thai_id")
    ]
    assert len(numbers) >= 20
    assert all(is_valid_thai_id(number) for number in numbers)
    assert any(number.startswith("0") for number in numbers)


def test_every_area_is_a_valid_official_one() -> None:
    for spec in DEMO_CASES:
        location = demo_location(spec.area)
        assert (
            check_location(
                location["province_code"],
                location.get("district_code"),
                location.get("subdistrict_code"),
                location.get("postal_code"),
            )
            == []
        ), spec.key
    assert demo_location("100101") == {
        "province_code": "10",
        "district_code": "1001",
        "subdistrict_code": "100101",
        "postal_code": "10200",
    }
    with pytest.raises(ValueError):
        demo_location("999999")


def test_every_intake_passes_validation() -> None:
    now = utcnow()
    for spec in DEMO_CASES:
        check_intake(demo_intake(spec, recorded_at=now), now=now)


def test_handling_reaches_the_final_status() -> None:
    for spec in DEMO_CASES:
        steps = handling(spec)
        status = CaseStatus.new
        for step in steps:
            if step.kind in ("screen",):
                status = CaseStatus.screened
            elif step.kind in ("take", "accept", "reopen"):
                status = CaseStatus.in_progress
            elif step.kind == "move":
                assert step.to is not None
                status = step.to
            elif step.kind == "close":
                status = CaseStatus.closed
                if spec.decided_urgency is Urgency.critical:
                    assert step.by is Role.supervisor
        assert status is spec.ends, spec.key


# --------------------------------------------------------------------------- seeding


async def test_seeding_creates_the_demo_cases_once(session, settings) -> None:
    before_cases = await _count(session, Case)
    first = await seed_demo(session, settings=settings, now=utcnow())
    assert first == {"accounts": 5, "cases": len(DEMO_CASES), "cases_created": len(DEMO_CASES)}

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
    volunteer = accounts["demo.volunteer"]
    led_by_volunteer = [case for case in seeded if case.lead_id == volunteer.id]
    assert len(led_by_volunteer) == sum(1 for s in DEMO_CASES if s.lead is Role.volunteer)
    assert all(case.urgency is not Urgency.critical for case in led_by_volunteer)
    assert any(case.created_by_id == volunteer.id for case in seeded)
    leads = {case.lead_id for case in seeded if case.lead_id is not None}
    assert leads == {
        volunteer.id,
        accounts["demo.caseworker"].id,
        accounts["demo.supervisor"].id,
    }

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
    assert again == {"accounts": 5, "cases": len(DEMO_CASES), "cases_created": 0}
    assert await _count(session, Case) == before_cases + len(DEMO_CASES)
    assert await _count(session, CaseNote) == notes
    assert await _count(session, CaseEvent) == events


async def test_every_demo_case_has_an_intact_event_chain(session, settings) -> None:
    await seed_demo(session, settings=settings, now=utcnow())
    key = audit_key(settings.data_key)
    seeded = await _demo_cases(session)
    assert len(seeded) == len(DEMO_CASES)
    volunteer = (
        await session.execute(sa.select(User).where(col(User.username) == "demo.volunteer"))
    ).scalar_one()
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
        if case.lead_id == volunteer.id:
            # A volunteer leads a case by accepting the offer made after screening.
            accepted = types.index(CaseEventType.offer_accepted)
            assert types[accepted - 2 : accepted] == [
                CaseEventType.screened,
                CaseEventType.offered,
            ]
            assert events[accepted].actor_id == volunteer.id
            assert events[accepted].changes["lead_id"] == [None, str(volunteer.id)]
        else:
            assert CaseEventType.offer_accepted not in types
    for kind in (
        CaseEventType.screened,
        CaseEventType.status_changed,
        CaseEventType.note_added,
        CaseEventType.offered,
        CaseEventType.offer_accepted,
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


def test_client_references_are_stable() -> None:
    spec = DEMO_CASES[0]
    assert spec.client_reference == uuid.uuid5(
        uuid.UUID("6f1d7c1e-3b0a-4c59-9a43-0f5e2d8b7a10"), spec.key
    )
