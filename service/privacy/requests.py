"""Data-subject requests (PDPA s.30-36): recorded with their legal clock, the person found
across cases by the identifiers given, answered by completing or refusing.

The decisions are pure (`answer_due_at`, `request_state`, `read_subject`, `erasure_blockers`);
the services record and change requests, never commit, and answer 404 for what is not there.
Refused requests with their reasons are the refusals register of s.39.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models import field_rules
from models.base import new_id
from models.case import Case
from models.enums import CaseStatus, IdType
from models.privacy_requests import (
    ANSWER_DAYS,
    DUE_SOON_DAYS,
    MatchedCase,
    PrivacyRequest,
    PrivacyRequestCase,
    PrivacyRequestIn,
    PrivacyRequestList,
    PrivacyRequestOut,
    RequestKind,
    RequestOutcome,
    RequestState,
    SubjectIn,
)
from models.user import User
from service.cases.client_fields import name_keys
from service.platform.crypto import id_number_hash, id_number_hashes, seal_id_number
from service.platform.errors import Conflict, NotFound, Unprocessable, coded_field_error
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.platform.settings import Settings
from service.privacy.anonymise import anonymise_case
from service.thai.dates import BANGKOK

ERASURE_REASON = "erasure_request"

# ------------------------------------------------------------------------------ decisions


def answer_due_at(kind: RequestKind, received_at: datetime) -> datetime:
    """When the answer is due: 30 days after receipt, 90 for erasure."""
    return received_at + timedelta(days=ANSWER_DAYS[kind])


def request_state(request: PrivacyRequest, now: datetime) -> RequestState:
    """Where the request's clock stands."""
    if request.outcome is not RequestOutcome.pending:
        return RequestState.answered
    if now >= request.due_at:
        return RequestState.overdue
    if now >= request.due_at - timedelta(days=DUE_SOON_DAYS):
        return RequestState.due_soon
    return RequestState.on_time


@dataclass(frozen=True, slots=True)
class Subject:
    """The person as identified: what is looked up, and what is kept."""

    id_type: IdType | None = None
    id_number: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None

    @property
    def by_name(self) -> bool:
        return self.first_name is not None and self.birth_date is not None


def read_subject(data: SubjectIn, *, today: date) -> tuple[Subject, list[dict[str, str]]]:
    """The identifiers in their canonical forms, with the problems found (pure)."""
    errors: list[dict[str, str]] = []
    id_type = data.id_type or (IdType.thai_id if data.id_number else None)
    number = None
    if data.id_number:
        try:
            number = field_rules.id_number(id_type or IdType.thai_id, data.id_number)
        except PydanticCustomError as error:
            errors.append(coded_field_error("/subject/id_number", error.type))
    phone = None
    if data.phone:
        try:
            phone = field_rules.phone(data.phone)
        except PydanticCustomError as error:
            errors.append(coded_field_error("/subject/phone", error.type))
    if data.birth_date is not None and data.birth_date > today:
        errors.append(coded_field_error("/subject/birth_date", "future"))
    subject = Subject(
        id_type=id_type,
        id_number=number,
        phone=phone,
        first_name=data.first_name or None,
        last_name=data.last_name or None,
        birth_date=data.birth_date,
    )
    if not errors and not (number or phone or subject.by_name):
        errors.append(coded_field_error("/subject", "privacy_subject"))
    return subject, errors


def identified_by(request: PrivacyRequest) -> list[str]:
    """Which identifiers the request holds (pure)."""
    found = []
    if request.subject_id_hash:
        found.append("id_number")
    if request.subject_phone:
        found.append("phone")
    if request.subject_first_name and request.subject_birth_date:
        found.append("name_and_birth_date")
    return found


def erasure_blockers(cases: Sequence[MatchedCase]) -> list[str]:
    """The references of the cases still open: an erasure waits for their closing (pure)."""
    return [c.reference for c in cases if c.status != CaseStatus.closed.value]


def request_out(
    request: PrivacyRequest, cases: Sequence[MatchedCase], now: datetime
) -> PrivacyRequestOut:
    return PrivacyRequestOut(
        id=request.id,
        kind=request.kind,
        requester=request.requester,
        requester_name=request.requester_name,
        identified_by=identified_by(request),
        details=request.details,
        received_at=request.received_at,
        due_at=request.due_at,
        state=request_state(request, now),
        seconds_to_due=int((request.due_at - now).total_seconds()),
        outcome=request.outcome,
        refusal_reason=request.refusal_reason,
        answered_at=request.answered_at,
        answered_by=request.answered_by_id,
        recorded_by=request.recorded_by_id,
        cases=list(cases),
        created_at=request.created_at,
        updated_at=request.updated_at,
        version=request.version,
    )


# ------------------------------------------------------------------------------ services


async def find_cases(session: AsyncSession, *, secret: str, subject: Subject) -> list[uuid.UUID]:
    """The cases of the person: by id number (its keyed hashes under every key), by phone, or
    by the name key with the birth date; each through its own index."""
    conditions: list[sa.ColumnElement[bool]] = []
    if subject.id_number:
        hashes = id_number_hashes(secret, subject.id_number)
        conditions.append(col(Case.client_id_hash).in_(hashes))
    if subject.phone:
        conditions.append(col(Case.client_phone) == subject.phone)
    if subject.by_name:
        key = name_keys(subject.first_name, subject.last_name)["client_name_key"]
        conditions.append(
            sa.and_(
                col(Case.client_name_key) == key,
                col(Case.client_birth_date) == subject.birth_date,
            )
        )
    if not conditions:
        return []
    query = sa.select(col(Case.id)).where(sa.or_(*conditions)).order_by(col(Case.created_at))
    return list((await session.scalars(query)).all())


async def matched_cases(
    session: AsyncSession, request_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[MatchedCase]]:
    """The cases each request found, oldest first."""
    rows = (
        await session.execute(
            sa.select(
                col(PrivacyRequestCase.request_id),
                col(Case.id),
                col(Case.reference),
                col(Case.status),
            )
            .join(Case, col(Case.id) == col(PrivacyRequestCase.case_id))
            .where(col(PrivacyRequestCase.request_id).in_(request_ids))
            .order_by(col(Case.created_at), col(Case.id))
        )
    ).all()
    found: dict[uuid.UUID, list[MatchedCase]] = {r: [] for r in request_ids}
    for request_id, case_id, reference, status in rows:
        found[request_id].append(MatchedCase(id=case_id, reference=reference, status=status))
    return found


async def _out(session: AsyncSession, request: PrivacyRequest, now: datetime) -> PrivacyRequestOut:
    cases = (await matched_cases(session, [request.id]))[request.id]
    return request_out(request, cases, now)


async def record_request(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    data: PrivacyRequestIn,
    now: datetime,
) -> PrivacyRequestOut:
    """Record a request, find the person's cases and keep which matched; the answer is due
    30 days after receipt (90 for erasure)."""
    received_at = data.received_at or now
    subject, errors = read_subject(data.subject, today=now.astimezone(BANGKOK).date())
    if received_at > now:
        errors.append(coded_field_error("/received_at", "future"))
    if errors:
        raise Unprocessable(errors=errors)
    case_ids = await find_cases(session, secret=settings.data_key, subject=subject)
    request_id = new_id()
    request = PrivacyRequest(
        id=request_id,
        kind=data.kind,
        requester=data.requester,
        requester_name=data.requester_name,
        subject_id_type=subject.id_type if subject.id_number else None,
        subject_id_hash=(
            id_number_hash(settings.data_key, subject.id_number) if subject.id_number else None
        ),
        subject_id_number_enc=(
            seal_id_number(settings.data_key, subject.id_number, request_id)
            if subject.id_number
            else None
        ),
        subject_phone=subject.phone,
        subject_first_name=subject.first_name,
        subject_last_name=subject.last_name,
        subject_birth_date=subject.birth_date,
        details=data.details,
        received_at=received_at,
        due_at=answer_due_at(data.kind, received_at),
        recorded_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    if case_ids:
        await session.execute(
            sa.insert(PrivacyRequestCase),
            [{"request_id": request.id, "case_id": case_id} for case_id in case_ids],
        )
    return await _out(session, request, now)


async def requests_by_id_number(
    session: AsyncSession, *, secret: str, id_number: str
) -> list[uuid.UUID]:
    """The requests about the person with `id_number` (normalised), oldest first: by its
    keyed hash under every configured key, so a request found before a key rotation re-hashed
    it is found during and after."""
    query = (
        sa.select(col(PrivacyRequest.id))
        .where(col(PrivacyRequest.subject_id_hash).in_(id_number_hashes(secret, id_number)))
        .order_by(col(PrivacyRequest.received_at), col(PrivacyRequest.id))
    )
    return list((await session.scalars(query)).all())


async def load_request(
    session: AsyncSession, *, request_id: uuid.UUID, for_update: bool = False
) -> PrivacyRequest:
    request = await session.get(PrivacyRequest, request_id, with_for_update=for_update)
    if request is None:
        raise NotFound(code="privacy.request_not_found")
    return request


async def read_request(
    session: AsyncSession, *, request_id: uuid.UUID, now: datetime
) -> PrivacyRequestOut:
    """One request with its clock and the cases it found."""
    return await _out(session, await load_request(session, request_id=request_id), now)


@dataclass(frozen=True, slots=True)
class RequestFilters:
    open_only: bool = False
    overdue: bool = False
    kind: RequestKind | None = None
    outcome: RequestOutcome | None = None


def _ordering(filters: RequestFilters) -> tuple[str, bool]:
    """The time a list is ordered by and whether newest first: open requests soonest due
    first, refusals newest answered first, otherwise newest received first."""
    if filters.open_only or filters.overdue:
        return "due_at", False
    if filters.outcome is RequestOutcome.refused:
        return "answered_at", True
    return "received_at", True


async def list_requests(
    session: AsyncSession,
    *,
    filters: RequestFilters,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> PrivacyRequestList:
    """Requests by their filters, a page at a time."""
    at_name, newest_first = _ordering(filters)
    order = (col(getattr(PrivacyRequest, at_name)), col(PrivacyRequest.id))
    query = sa.select(PrivacyRequest)
    if filters.open_only or filters.overdue:
        query = query.where(col(PrivacyRequest.outcome) == RequestOutcome.pending)
    if filters.overdue:
        query = query.where(col(PrivacyRequest.due_at) <= now)
    if filters.kind is not None:
        query = query.where(col(PrivacyRequest.kind) == filters.kind)
    if filters.outcome is not None:
        query = query.where(col(PrivacyRequest.outcome) == filters.outcome)
    if cursor:
        at, after = decode_time_id_cursor(cursor)
        key = sa.tuple_(*order)
        bound = sa.tuple_(sa.literal(at), sa.literal(after))
        query = query.where(key < bound if newest_first else key > bound)
    query = query.order_by(*(c.desc() if newest_first else c for c in order))
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        last_at = getattr(last, at_name)
        next_cursor = encode_time_id_cursor(last_at, last.id)
    cases = await matched_cases(session, [r.id for r in page])
    return PrivacyRequestList(
        items=[request_out(r, cases[r.id], now) for r in page], next_cursor=next_cursor
    )


async def requests_due(
    session: AsyncSession, *, now: datetime, within: timedelta
) -> list[PrivacyRequestOut]:
    """The open requests due within `within` from `now` or already past, soonest first: what
    the supervisors' queues show."""
    rows = list(
        (
            await session.scalars(
                sa.select(PrivacyRequest)
                .where(
                    col(PrivacyRequest.outcome) == RequestOutcome.pending,
                    col(PrivacyRequest.due_at) <= now + within,
                )
                .order_by(col(PrivacyRequest.due_at), col(PrivacyRequest.id))
            )
        ).all()
    )
    cases = await matched_cases(session, [r.id for r in rows])
    return [request_out(r, cases[r.id], now) for r in rows]


def _answer(
    request: PrivacyRequest,
    *,
    outcome: RequestOutcome,
    user: User,
    now: datetime,
    reason: str | None = None,
) -> None:
    request.outcome = outcome
    request.refusal_reason = reason
    request.answered_at = now
    request.answered_by_id = user.id
    request.updated_at = now
    request.version += 1


async def _pending_request(session: AsyncSession, request_id: uuid.UUID) -> PrivacyRequest:
    request = await load_request(session, request_id=request_id, for_update=True)
    if request.outcome is not RequestOutcome.pending:
        raise Conflict(code="privacy.request_answered")
    return request


async def refuse_request(
    session: AsyncSession, *, request_id: uuid.UUID, user: User, reason: str, now: datetime
) -> PrivacyRequestOut:
    """Refuse a request with its reason; it joins the refusals register."""
    request = await _pending_request(session, request_id)
    _answer(request, outcome=RequestOutcome.refused, user=user, now=now, reason=reason)
    await session.flush()
    return await _out(session, request, now)


def open_cases_reason(references: Sequence[str]) -> str:
    """The recorded reason of an erasure refused because cases are still open (pure)."""
    return (
        "Erasure refused: the case(s) "
        + ", ".join(references)
        + " are still open; the data is needed to help the person (s.33). Ask again once "
        "they are closed."
    )


async def complete_request(
    session: AsyncSession,
    *,
    settings: Settings,
    request_id: uuid.UUID,
    user: User,
    now: datetime,
) -> PrivacyRequestOut:
    """Complete a request. An erasure anonymises every case it found, or, when one is still
    open, is refused with that reason and changes nothing else."""
    request = await _pending_request(session, request_id)
    if request.kind is RequestKind.erasure:
        cases = (await matched_cases(session, [request.id]))[request.id]
        blockers = erasure_blockers(cases)
        if blockers:
            reason = open_cases_reason(blockers)
            _answer(request, outcome=RequestOutcome.refused, user=user, now=now, reason=reason)
            await session.flush()
            return await _out(session, request, now)
        for case in cases:
            await anonymise_case(
                session,
                secret=settings.data_key,
                case_id=case.id,
                actor_id=user.id,
                now=now,
                reason=ERASURE_REASON,
            )
        await session.refresh(request)
    _answer(request, outcome=RequestOutcome.completed, user=user, now=now)
    await session.flush()
    return await _out(session, request, now)
