"""Intake: one request creates one case, never two.

`check_intake` is the pure part: it normalises what a reporter sent (ids, phones, Buddhist Era
years, areas; the client fields as `CLIENT_FIELDS` declares them) and collects every problem
with a JSON pointer. `submit_case` stores the case,
its categories, its first event and its possible-duplicate links in one transaction, honouring
`Idempotency-Key` and `client_reference`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case, CaseCreate, ConsentIn, LocationIn, ReporterIn
from models.enums import CaseEventType, CaseStatus, ConsentStatus, LegalBasis, Urgency
from models.user import User
from service.cases.categories import category_rows
from service.cases.client_fields import (
    IdentityValues,
    name_keys,
    read_client_fields,
    read_id_number,
    read_phone,
    target_groups,
)
from service.cases.duplicates import flag_possible_duplicates
from service.cases.events import append_event
from service.cases.references import next_reference
from service.cases.rendering import answer_for
from service.platform import idempotency
from service.platform.crypto import id_number_hash, seal_id_number
from service.platform.errors import Unprocessable, field_error
from service.platform.settings import Settings
from service.thai.areas import check_location
from service.thai.dates import BANGKOK

CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Normalised:
    """What `check_intake` produced for the case's columns."""

    columns: dict[str, Any] = field(default_factory=dict)
    identity: IdentityValues | None = None


def check_intake(data: CaseCreate, *, now: datetime) -> Normalised:
    """Normalise an intake and collect every problem, each with a pointer; raise if any."""
    errors: list[dict[str, str]] = []
    today = now.astimezone(BANGKOK).date()
    client = data.client
    identity = read_id_number(client.id_type, client.id_number, "/client/id_number", errors)
    client_columns = read_client_fields(client.model_dump(), today=today, errors=errors)
    reporter_phone = read_phone(data.reporter.phone, "/reporter/phone", errors)
    recorded_at = _recorded_at(data, now=now, errors=errors)
    _check_location(data.location, errors)
    _check_reporter(data.reporter, errors)
    basis = _legal_basis(data.consent, errors)
    if client.pregnant and client.gender is not None and client.gender.value == "male":
        errors.append(
            field_error("/client/pregnant", "inconsistent with the gender given", "consistency")
        )
    if errors:
        raise Unprocessable("The case is not valid; see errors.", errors=errors)

    full_key, last_key = name_keys(client.first_name, client.last_name)
    client_columns.update(
        client_id_type=client.id_type,
        client_id_last4=identity.last4 if identity else None,
        client_name_key=full_key,
        client_last_name_key=last_key,
    )
    columns: dict[str, Any] = {
        "summary": data.summary,
        "categories": list(dict.fromkeys(c.value for c in data.categories)),
        "immediate_danger": data.immediate_danger,
        "urgency": Urgency.critical if data.immediate_danger else (data.urgency or Urgency.normal),
        "suggested_urgency": data.urgency,
        "channel": data.channel,
        "recorded_at": recorded_at,
        "client_reference": data.client_reference,
        **client_columns,
        "target_groups": target_groups(
            birth_date=client_columns["client_birth_date"],
            birth_year=client_columns["client_birth_year"],
            age_estimate=client_columns["client_age_estimate"],
            disability=client_columns["client_disability"],
            pregnant=client_columns["client_pregnant"],
            today=today,
        ),
        "reporter_relationship": data.reporter.relationship,
        "reporter_name": data.reporter.name,
        "reporter_phone": reporter_phone,
        "reporter_anonymous": data.reporter.anonymous,
        "province_code": data.location.province_code,
        "district_code": data.location.district_code,
        "subdistrict_code": data.location.subdistrict_code,
        "postal_code": data.location.postal_code,
        "address_text": data.location.address,
        "lat": data.location.lat,
        "lon": data.location.lon,
        "consent_data_collection": data.consent.data_collection,
        "consent_share_with_agencies": data.consent.share_with_agencies,
        "legal_basis": basis,
        "consent_recorded_by": data.consent.recorded_by,
        "guardian_name": data.consent.guardian_name,
    }
    return Normalised(columns=columns, identity=identity)


def _recorded_at(data: CaseCreate, *, now: datetime, errors: list[dict[str, str]]) -> datetime:
    """When the case was captured: now unless the phone says when, never in the future."""
    if data.recorded_at is None:
        return now
    recorded_at = data.recorded_at  # Buddhist Era years were converted by the schema
    if recorded_at > now + CLOCK_SKEW:
        errors.append(field_error("/recorded_at", "cannot be in the future", "future"))
    return recorded_at


def _check_location(location: LocationIn, errors: list[dict[str, str]]) -> None:
    for name, message in check_location(
        location.province_code,
        location.district_code,
        location.subdistrict_code,
        location.postal_code,
    ):
        errors.append(field_error(f"/location/{name}", message, "area"))


def _check_reporter(reporter: ReporterIn, errors: list[dict[str, str]]) -> None:
    if reporter.anonymous and (reporter.name or reporter.phone):
        errors.append(
            field_error(
                "/reporter/anonymous", "an anonymous reporter gives no name or phone", "anonymous"
            )
        )


def _legal_basis(consent: ConsentIn, errors: list[dict[str, str]]) -> LegalBasis | None:
    """The basis sent, or consent when consent was given; consent is no basis without it."""
    basis = consent.basis
    if consent.data_collection is ConsentStatus.given and basis is None:
        basis = LegalBasis.consent
    if basis is LegalBasis.consent and consent.data_collection is not ConsentStatus.given:
        errors.append(
            field_error(
                "/consent/basis", "consent is not a basis when consent was not given", "basis"
            )
        )
    return basis


async def _existing_by_client_reference(
    session: AsyncSession, *, reporter: User, client_reference: uuid.UUID
) -> Case | None:
    return (
        await session.execute(
            sa.select(Case).where(
                col(Case.created_by_id) == reporter.id,
                col(Case.client_reference) == client_reference,
            )
        )
    ).scalar_one_or_none()


async def submit_case(
    session: AsyncSession,
    *,
    settings: Settings,
    reporter: User,
    data: CaseCreate,
    raw_body: bytes,
    idempotency_key: str | None,
    now: datetime,
) -> idempotency.StoredAnswer:
    """Create a case (201), or answer as the first time for a repeated request."""
    if idempotency_key is not None:
        stored = await idempotency.claim(
            session,
            secret=settings.data_key,
            owner_id=reporter.id,
            key=idempotency_key,
            print_=idempotency.fingerprint(raw_body),
            now=now,
        )
        if stored is not None:
            return stored

    normalised = check_intake(data, now=now)
    answer = await _create_or_find(
        session, settings=settings, reporter=reporter, data=data, normalised=normalised, now=now
    )
    if idempotency_key is not None:
        await idempotency.store(
            session,
            secret=settings.data_key,
            owner_id=reporter.id,
            key=idempotency_key,
            answer=answer,
        )
    return answer


async def _create_or_find(
    session: AsyncSession,
    *,
    settings: Settings,
    reporter: User,
    data: CaseCreate,
    normalised: Normalised,
    now: datetime,
) -> idempotency.StoredAnswer:
    if data.client_reference is not None:
        existing = await _existing_by_client_reference(
            session, reporter=reporter, client_reference=data.client_reference
        )
        if existing is not None:
            return await _answer_existing(
                session, settings=settings, reporter=reporter, case=existing, now=now
            )

    case_id = uuid.uuid4()
    columns = dict(normalised.columns)
    if normalised.identity is not None:
        columns["client_id_number_enc"] = seal_id_number(
            settings.data_key, normalised.identity.number, case_id
        )
        columns["client_id_hash"] = id_number_hash(settings.data_key, normalised.identity.number)
    case = Case(
        id=case_id,
        reference=await next_reference(session, now=now),
        status=CaseStatus.new,
        created_by_id=reporter.id,
        consent_recorded_by_id=reporter.id,
        created_at=now,
        updated_at=now,
        **columns,
    )
    try:
        async with session.begin_nested():
            session.add(case)
            session.add_all(category_rows(case))
            await session.flush()
    except IntegrityError:
        # Another request with the same client_reference committed first.
        if data.client_reference is None:
            raise
        existing = await _existing_by_client_reference(
            session, reporter=reporter, client_reference=data.client_reference
        )
        if existing is None:
            raise
        return await _answer_existing(
            session, settings=settings, reporter=reporter, case=existing, now=now
        )

    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.created,
        actor_id=reporter.id,
        now=now,
        data={
            "reference": case.reference,
            "channel": case.channel.value,
            "urgency": case.urgency.value,
            "categories": case.categories,
        },
    )
    await flag_possible_duplicates(session, settings=settings, case=case, now=now)
    await session.flush()
    return await answer_for(
        session, case=case, viewer=reporter, settings=settings, status_code=201, now=now
    )


async def _answer_existing(
    session: AsyncSession, *, settings: Settings, reporter: User, case: Case, now: datetime
) -> idempotency.StoredAnswer:
    return await answer_for(
        session, case=case, viewer=reporter, settings=settings, status_code=200, now=now
    )
