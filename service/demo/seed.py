"""Seeding the demo: one account per role, the demo agency directory, the demo helpers'
profiles and the fifty demo cases,
made through the services.

The accounts come from `service.demo.accounts`, the directory from `directory.json`
(`service.demo.agencies`), the cases from `cases.json`
(`service.demo.cases`), and what is done to each case from the plan in `service.demo.handling`.
Every write is a service call a person could make over the API: intake
(`service.cases.intake.submit_case`), then screening, taking the lead, status steps, closing,
reopening (`service.cases.transitions.transition_case`) and notes
(`service.cases.notes.add_note`), each by the demo account of the role that may make it. So
references, events, hash chains and possible-duplicate links are real, and the seeder never sets
a status, lead, version or event itself.

Each demo case has a fixed `client_reference`, so seeding again finds the cases already there
and creates nothing. Their times are spread over the last seven weeks, so queues, timelines and
statistics look like a working center.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.case import NoteIn, TransitionIn
from models.enums import CaseStatus, Channel, Role
from models.user import User
from service.cases import intake
from service.cases.notes import add_note
from service.cases.transitions import transition_case
from service.demo.accounts import ensure_demo_accounts
from service.demo.agencies import seed_demo_directory
from service.demo.cases import DemoCase, demo_cases, demo_intake
from service.demo.handling import HandlingStep, handling
from service.demo.helpers import ensure_demo_profiles
from service.platform.errors import Forbidden
from service.platform.settings import Settings

# Field reports are typed up on a phone some time after the visit; desk reports as they come in.
FIELD_CHANNELS = frozenset({Channel.mobile, Channel.outreach})


def _transition(spec: DemoCase, step: HandlingStep, ids: dict[str, uuid.UUID]) -> TransitionIn:
    """The status change a handling step asks the transition service for."""
    if step.kind == "screen":
        return TransitionIn(to=CaseStatus.screened, urgency=spec.decided_urgency, basis=spec.basis)
    if step.kind == "take":
        return TransitionIn(to=CaseStatus.in_progress)
    if step.kind == "move":
        assert step.to is not None
        return TransitionIn(to=step.to)
    if step.kind == "close":
        duplicate_of = ids[spec.duplicate_of] if spec.duplicate_of is not None else None
        return TransitionIn(
            to=CaseStatus.closed, closure_reason=step.closure, duplicate_of=duplicate_of
        )
    assert step.kind == "reopen"
    return TransitionIn(to=CaseStatus.in_progress, reason=step.text)


async def _handle(
    session: AsyncSession,
    *,
    settings: Settings,
    spec: DemoCase,
    case_id: uuid.UUID,
    tag: str,
    people: dict[Role, User],
    ids: dict[str, uuid.UUID],
    start: datetime,
    now: datetime,
) -> None:
    """Carry a new demo case through its handling, each step a little later than the last."""
    steps = handling(spec)
    gap = (now - start) / (len(steps) + 1)
    for number, step in enumerate(steps, start=1):
        at = start + gap * number
        user = people[step.by]
        if step.kind == "note":
            assert step.text is not None
            await add_note(
                session,
                settings=settings,
                user=user,
                case_id=case_id,
                body=NoteIn(body=step.text),
                now=at,
            )
            continue
        _, tag = await transition_case(
            session,
            settings=settings,
            user=user,
            case_id=case_id,
            body=_transition(spec, step, ids),
            if_match=tag,
            now=at,
        )


async def seed_demo_cases(
    session: AsyncSession, *, settings: Settings, people: dict[Role, User], now: datetime
) -> tuple[int, int]:
    """Report and handle the demo cases that are missing; returns (demo cases, created now)."""
    ids: dict[str, uuid.UUID] = {}
    created = 0
    # Oldest first, so reference numbers follow the order the cases came in.
    for spec in sorted(demo_cases(), key=lambda s: -s.days_ago):
        start = now - timedelta(days=spec.days_ago)
        captured = timedelta(minutes=40 if spec.channel in FIELD_CHANNELS else 3)
        data = demo_intake(spec, recorded_at=start - captured)
        answer = await intake.submit_case(
            session,
            settings=settings,
            reporter=people[spec.reported_by],
            data=data,
            raw_body=data.model_dump_json().encode(),
            idempotency_key=None,
            now=start,
        )
        case_id = uuid.UUID(answer.headers["location"].rsplit("/", 1)[-1])
        ids[spec.key] = case_id
        if answer.status_code != 201:
            continue  # seeded before
        created += 1
        await _handle(
            session,
            settings=settings,
            spec=spec,
            case_id=case_id,
            tag=answer.headers["etag"],
            people=people,
            ids=ids,
            start=start,
            now=now,
        )
    return len(ids), created


async def seed_demo(session: AsyncSession, *, settings: Settings, now: datetime) -> dict[str, int]:
    """Create the demo data that is missing; refused outside development and the test suite."""
    if not settings.is_development:
        raise Forbidden(f"Demo data is only for development; this is {settings.environment.value}.")
    organizations, organizations_created = await seed_demo_directory(session, now=now)
    accounts = await ensure_demo_accounts(session, now=now)
    people: dict[Role, User] = {}
    for account in accounts:
        people.setdefault(account.role, account)
    profiles = await ensure_demo_profiles(session, people=people, now=now)
    count, created = await seed_demo_cases(session, settings=settings, people=people, now=now)
    return {
        "accounts": len(accounts),
        "organizations": organizations,
        "organizations_created": organizations_created,
        "profiles_created": profiles,
        "cases": count,
        "cases_created": created,
    }
