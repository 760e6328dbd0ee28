"""Intake: one request creates one case, never two.

`check_intake` is the pure part: it normalises what a reporter sent (ids, phones, Buddhist Era
years, areas) and collects every problem with a JSON pointer. `submit_case` stores the case,
its categories, its first event and its possible-duplicate links in one transaction, honouring
`Idempotency-Key` and `client_reference`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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
    IdType,
    LegalBasis,
    TargetGroup,
    Urgency,
)
from models.user import User
from service import idempotency
from service.cases import answer_for, load_duplicates
from service.config import Settings
from service.crypto import id_number_hash, seal_id_number
from service.duplicates import flag_possible_duplicates
from service.errors import Unprocessable, field_error
from service.events import append_event
from service.references import BANGKOK, next_reference
from service.validation import (
    age_on,
    check_location,
    derive_target_groups,
    gregorian_date,
    normalize_name,
    normalize_phone,
    normalize_thai_id,
    not_in_future,
    to_gregorian_year,
)

CLOCK_SKEW = timedelta(minutes=5)
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
THAI_FORMAT_IDS = frozenset({IdType.thai_id, IdType.non_thai_id})


@dataclass
class IdentityValues:
    """A normalised identity number, ready to seal and hash."""

    number: str
    last4: str


@dataclass
class Normalised:
    """What `check_intake` (or a patch) produced for the case's columns."""

    columns: dict[str, Any] = field(default_factory=dict)
    identity: IdentityValues | None = None


def normalise_id_number(
    id_type: IdType, raw: str | None, pointer: str, errors: list[dict[str, str]]
) -> IdentityValues | None:
    """The id number in its canonical form for its type, or an error entry."""
    if raw is None or raw == "":
        return None
    if id_type in THAI_FORMAT_IDS:
        try:
            number = normalize_thai_id(raw)
        except ValueError as error:
            errors.append(field_error(pointer, str(error), "thai_id"))
            return None
        return IdentityValues(number, number[-4:])
    if id_type is IdType.passport:
        number = re.sub(r"[\s-]", "", raw).upper()
        if not _PASSPORT.match(number):
            errors.append(
                field_error(pointer, "a passport number is 5-20 letters or digits", "passport")
            )
            return None
        return IdentityValues(number, number[-4:])
    errors.append(
        field_error(
            pointer, "set id_type (thai_id, non_thai_id or passport) to give a number", "id_type"
        )
    )
    return None


def normalise_phone(raw: str | None, pointer: str, errors: list[dict[str, str]]) -> str | None:
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except ValueError as error:
        errors.append(field_error(pointer, str(error), "phone"))
        return None


def parse_birth_date(
    raw: str | None, today: date, pointer: str, errors: list[dict[str, str]]
) -> date | None:
    """A `YYYY-MM-DD` birth date; Buddhist Era years are converted; never in the future."""
    if not raw:
        return None
    year, month, day = (int(part) for part in raw.split("-"))
    try:
        value = gregorian_date(year, month, day)
    except ValueError as error:
        errors.append(field_error(pointer, str(error), "date"))
        return None
    if not not_in_future(value, today):
        errors.append(field_error(pointer, "a birth date cannot be in the future", "future"))
        return None
    return value


def parse_birth_year(
    raw: int | None, today: date, pointer: str, errors: list[dict[str, str]]
) -> int | None:
    if raw is None:
        return None
    year = to_gregorian_year(raw)
    if year > today.year:
        errors.append(field_error(pointer, "a birth year cannot be in the future", "future"))
        return None
    if year < today.year - 130:
        errors.append(field_error(pointer, "a birth year more than 130 years ago", "range"))
        return None
    return year


def client_age(
    birth_date: date | None, birth_year: int | None, age_estimate: int | None, today: date
) -> int | None:
    """The best age we know: from the birth date, else the year, else the estimate."""
    if birth_date is not None:
        return age_on(birth_date, today)
    if birth_year is not None:
        return today.year - birth_year
    return age_estimate


def name_keys(first: str | None, last: str | None) -> tuple[str | None, str | None]:
    """Normalised keys for name search and duplicate matching."""
    full = normalize_name(f"{first or ''} {last or ''}") or None
    last_key = normalize_name(last) if last else None
    return full, (last_key or None)


def target_groups(
    *,
    birth_date: date | None,
    birth_year: int | None,
    age_estimate: int | None,
    disability: bool,
    pregnant: bool,
    today: date,
) -> list[str]:
    age = client_age(birth_date, birth_year, age_estimate, today)
    groups: list[TargetGroup] = derive_target_groups(
        age=age, disability=disability, pregnant=pregnant
    )
    return [g.value for g in groups]


def check_intake(data: CaseCreate, *, now: datetime) -> Normalised:
    """Normalise an intake and collect every problem, each with a pointer; raise if any."""
    errors: list[dict[str, str]] = []
    today = now.astimezone(BANGKOK).date()
    client, reporter, location, consent = data.client, data.reporter, data.location, data.consent

    identity = normalise_id_number(client.id_type, client.id_number, "/client/id_number", errors)
    client_phone = normalise_phone(client.phone, "/client/phone", errors)
    reporter_phone = normalise_phone(reporter.phone, "/reporter/phone", errors)
    birth_date = parse_birth_date(client.birth_date, today, "/client/birth_date", errors)
    birth_year = parse_birth_year(client.birth_year, today, "/client/birth_year", errors)

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
