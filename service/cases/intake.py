"""Intake: one request creates one case, never two.

`check_intake` is the pure part: it normalises what a reporter sent (ids, phones, Buddhist Era
years, areas) and collects every problem with a JSON pointer. `submit_case` stores the case,
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

from models.case import Case, CaseCategory, CaseCreate
from models.enums import (
    CaseEventType,
    CaseStatus,
    Category,
    ConsentStatus,
    LegalBasis,
    Urgency,
)
from models.user import User
from service.cases.changes import answer_for, load_duplicates
from service.cases.client_fields import (
    IdentityValues,
    name_keys,
    read_birth_date,
    read_birth_year,
    read_id_number,
    read_phone,
    target_groups,
)
from service.cases.duplicates import flag_possible_duplicates
from service.cases.events import append_event
from service.cases.references import next_reference
from service.platform import idempotency
from service.platform.crypto import id_number_hash, seal_id_number
from service.platform.errors import Unprocessable, field_error
from service.platform.settings import Settings
from service.thai.areas import check_location
from service.thai.dates import BANGKOK

CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Normalised:
    """What `check_intake` (or a patch) produced for the case's columns."""

    columns: dict[str, Any] = field(default_factory=dict)
    identity: IdentityValues | None = None


def check_intake(data: CaseCreate, *, now: datetime) -> Normalised:
    """Normalise an intake and collect every problem, each with a pointer; raise if any."""
    errors: list[dict[str, str]] = []
    today = now.astimezone(BANGKOK).date()
    client, reporter, location, consent = data.client, data.reporter, data.location, data.consent

    identity = read_id_number(client.id_type, client.id_number, "/client/id_number", errors)
    client_phone = read_phone(client.phone, "/client/phone", errors)
    reporter_phone = read_phone(reporter.phone, "/reporter/phone", errors)
    birth_date = read_birth_date(client.birth_date, today, "/client/birth_date", errors)
    birth_year = read_birth_year(client.birth_year, today, "/client/birth_year", errors)

    recorded_at = now
    if data.recorded_at is not None:
        recorded_at = data.recorded_at  # Buddhist Era years were converted by the schema
        if recorded_at > now + CLOCK_SKEW:
            errors.append(field_error("/recorded_at", "cannot be in the future", "future"))

    for name, message in check_location(
        location.province_code,
        location.district_code,
        location.subdistrict_code,
        location.postal_code,
    ):
        errors.append(field_error(f"/location/{name}", message, "area"))

    if reporter.anonymous and (reporter.name or reporter.phone):
        errors.append(
            field_error(
                "/reporter/anonymous", "an anonymous reporter gives no name or phone", "anonymous"
            )
        )

    basis = consent.basis
    if consent.data_collection is ConsentStatus.given and basis is None:
        basis = LegalBasis.consent
    if basis is LegalBasis.consent and consent.data_collection is not ConsentStatus.given:
        errors.append(
            field_error(
                "/consent/basis", "consent is not a basis when consent was not given", "basis"
            )
        )
    if client.pregnant and client.gender is not None and client.gender.value == "male":
        errors.append(
            field_error("/client/pregnant", "inconsistent with the gender given", "consistency")
        )

    if errors:
        raise Unprocessable("The case is not valid; see errors.", errors=errors)

    urgency = Urgency.critical if data.immediate_danger else (data.urgency or Urgency.normal)
    categories = list(dict.fromkeys(c.value for c in data.categories))
    full_key, last_key = name_keys(client.first_name, client.last_name)
    columns: dict[str, Any] = {
        "summary": data.summary,
        "categories": categories,
        "immediate_danger": data.immediate_danger,
        "urgency": urgency,
        "suggested_urgency": data.urgency,
        "channel": data.channel,
        "recorded_at": recorded_at,
        "client_reference": data.client_reference,
        "client_title": client.title,
        "client_first_name": client.first_name,
        "client_last_name": client.last_name,
        "client_nickname": client.nickname,
        "client_name_key": full_key,
        "client_last_name_key": last_key,
        "client_id_type": client.id_type,
        "client_id_last4": identity.last4 if identity else None,
        "client_birth_date": birth_date,
        "client_birth_year": birth_year,
        "client_age_estimate": client.age_estimate,
        "client_gender": client.gender,
        "client_phone": client_phone,
        "client_nationality": client.nationality,
        "client_languages": list(client.languages),
        "client_disability": client.disability,
        "client_pregnant": client.pregnant,
        "target_groups": target_groups(
            birth_date=birth_date,
            birth_year=birth_year,
            age_estimate=client.age_estimate,
            disability=client.disability,
            pregnant=client.pregnant,
            today=today,
        ),
        "reporter_relationship": reporter.relationship,
        "reporter_name": reporter.name,
        "reporter_phone": reporter_phone,
        "reporter_anonymous": reporter.anonymous,
        "province_code": location.province_code,
        "district_code": location.district_code,
        "subdistrict_code": location.subdistrict_code,
        "postal_code": location.postal_code,
        "address_text": location.address,
        "lat": location.lat,
        "lon": location.lon,
        "consent_data_collection": consent.data_collection,
        "consent_share_with_agencies": consent.share_with_agencies,
        "legal_basis": basis,
        "consent_recorded_by": consent.recorded_by,
        "guardian_name": consent.guardian_name,
    }
    return Normalised(columns=columns, identity=identity)


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
                session, settings=settings, reporter=reporter, case=existing
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
            session.add_all(
                CaseCategory(case_id=case.id, category=Category(c), created_at=now)
                for c in case.categories
            )
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
        return await _answer_existing(session, settings=settings, reporter=reporter, case=existing)

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
    duplicates = await load_duplicates(session, case_id=case.id, viewer=reporter)
    return answer_for(
        case, viewer=reporter, settings=settings, duplicates=duplicates, status_code=201
    )


async def _answer_existing(
    session: AsyncSession, *, settings: Settings, reporter: User, case: Case
) -> idempotency.StoredAnswer:
    duplicates = await load_duplicates(session, case_id=case.id, viewer=reporter)
    return answer_for(
        case, viewer=reporter, settings=settings, duplicates=duplicates, status_code=200
    )
