"""Intake: one request creates one case, never two.

`CaseCreate` has checked every field by the rules of `models.field_rules`, each problem with its
JSON pointer, in one 422. `check_intake` is the pure part after it: it normalises what a
reporter sent (ids, phones, Buddhist Era years; the client fields as `CLIENT_FIELDS` declares
them) into the case's columns. `submit_case` stores the case,
its categories, its first event and its possible-duplicate links in one transaction, honouring
`Idempotency-Key` and `client_reference`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import sees_full_id_number, sees_possible_duplicates
from models.case import (
    DUPLICATE_NAME_KEYS,
    Case,
    CaseCreate,
    ConsentIn,
    DuplicateOut,
)
from models.enums import CaseEventType, CaseStatus, ConsentStatus, LegalBasis, Role, Urgency
from models.events import CaseEvent
from models.user import User
from service.cases.categories import category_values
from service.cases.client_fields import (
    IdentityValues,
    name_keys,
    read_client_fields,
    read_id_number,
    read_phone,
    target_groups,
)
from service.cases.duplicates import (
    find_possible_duplicates,
    link_values,
    links_shown,
    new_links,
)
from service.cases.events import chain_event
from service.cases.loading import CaseContext, etag
from service.cases.new_case_rows import insert_new_case, row_values
from service.cases.references import next_reference
from service.cases.rendering import answer_for, render_case
from service.deadlines.case_clock import stamp_new_case
from service.platform import idempotency
from service.platform.crypto import (
    id_number_hash,
    id_number_hashes,
    mask_id_number,
    seal_id_number,
)
from service.platform.errors import Conflict, Unprocessable
from service.platform.settings import Settings
from service.thai.dates import BANGKOK
from service.thai.names import PersonName

CASE_EVENTS = CaseEvent.__table__  # type: ignore[attr-defined]


@dataclass
class Normalised:
    """What `check_intake` produced for the case's columns."""

    columns: dict[str, Any] = field(default_factory=dict)
    identity: IdentityValues | None = None
    name: PersonName | None = None


def check_intake(data: CaseCreate, *, now: datetime) -> Normalised:
    """Normalise an intake the schema has checked; a value that reads differently at `now`
    than when it was checked (a birth date of today, around midnight) is still a 422."""
    errors: list[dict[str, str]] = []
    today = now.astimezone(BANGKOK).date()
    client = data.client
    identity = read_id_number(client.id_type, client.id_number, "/client/id_number", errors)
    client_columns = read_client_fields(client.model_dump(), today=today, errors=errors)
    reporter_phone = read_phone(data.reporter.phone, "/reporter/phone", errors)
    if errors:
        raise Unprocessable("The case is not valid; see errors.", errors=errors)

    keys = name_keys(client.first_name, client.last_name)
    client_columns.update(
        keys,
        client_id_type=client.id_type,
        client_id_last4=identity.last4 if identity else None,
    )
    columns: dict[str, Any] = {
        "summary": data.summary,
        "categories": list(dict.fromkeys(c.value for c in data.categories)),
        "immediate_danger": data.immediate_danger,
        "urgency": Urgency.critical if data.immediate_danger else (data.urgency or Urgency.normal),
        "suggested_urgency": data.urgency,
        "channel": data.channel,
        "recorded_at": data.recorded_at or now,
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
        "country_code": data.location.country_code,
        "city": data.location.city,
        "province_code": data.location.province_code,
        "district_code": data.location.district_code,
        "subdistrict_code": data.location.subdistrict_code,
        "postal_code": data.location.postal_code,
        "address_text": data.location.address,
        "lat": data.location.lat,
        "lon": data.location.lon,
        "consent_data_collection": data.consent.data_collection,
        "consent_share_with_agencies": data.consent.share_with_agencies,
        "legal_basis": _legal_basis(data.consent),
        "consent_recorded_by": data.consent.recorded_by,
        "guardian_name": data.consent.guardian_name,
    }
    name = PersonName(
        key=keys["client_name_key"],
        **{key: keys[f"client_{key}"] for key in DUPLICATE_NAME_KEYS},
    )
    return Normalised(columns=columns, identity=identity, name=name)


def _legal_basis(consent: ConsentIn) -> LegalBasis | None:
    """The basis sent, or consent when consent was given (`field_rules.consent_basis` has
    refused consent as the basis without it)."""
    if consent.data_collection is ConsentStatus.given and consent.basis is None:
        return LegalBasis.consent
    return consent.basis


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
            return narrow_replay(stored, caller=reporter.role)

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
            made_for=reporter.role,
        )
    return answer


def narrow_replay(stored: idempotency.StoredAnswer, *, caller: Role) -> idempotency.StoredAnswer:
    """A stored answer showing no more than `caller`'s role may see now (pure).

    The first answer was made for the role the caller had then; one who has since lost the
    right to see full id numbers or possible duplicates gets them masked and left out, as a
    `GET` would show them. Byte-for-byte replay gives way to that."""
    shown_to = stored.made_for
    if shown_to is None or stored.status_code >= 300:
        return stored
    hide_id = sees_full_id_number(shown_to) and not sees_full_id_number(caller)
    hide_duplicates = sees_possible_duplicates(shown_to) and not sees_possible_duplicates(caller)
    if not (hide_id or hide_duplicates):
        return stored
    body = json.loads(stored.body)
    client = body.get("client") or {}
    if hide_id and client.get("id_number") and not client.get("id_number_masked"):
        client["id_number"] = mask_id_number(client["id_number"][-4:])
        client["id_number_masked"] = True
    if hide_duplicates:
        body["possible_duplicates"] = []
    return replace(stored, body=json.dumps(body, ensure_ascii=False).encode(), made_for=caller)


async def _create_or_find(
    session: AsyncSession,
    *,
    settings: Settings,
    reporter: User,
    data: CaseCreate,
    normalised: Normalised,
    now: datetime,
) -> idempotency.StoredAnswer:
    """Store the case with its categories, events and duplicate links, and render it once.

    The possible duplicates are found and both events chained before anything is written, so
    the case row goes in with its final chain anchor, and with it the rest
    (`new_case_rows.insert_new_case`: one statement on PostgreSQL); a repeated
    `client_reference` is caught by that statement (`ON CONFLICT DO NOTHING`), not by a read
    before it, and then nothing is written."""
    case_id = uuid.uuid4()
    columns = dict(normalised.columns)
    if normalised.identity is not None:
        columns["client_id_number_enc"] = seal_id_number(
            settings.data_key, normalised.identity.number, case_id
        )
        columns["client_id_hash"] = id_number_hash(settings.data_key, normalised.identity.number)
        # While a key rotation runs, older cases still hold the hash made under the previous key.
        id_hashes = id_number_hashes(settings.data_key, normalised.identity.number)
    else:
        id_hashes = []
    found = await find_possible_duplicates(
        session, columns=columns, id_hashes=id_hashes, name=normalised.name
    )
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
    await stamp_new_case(session, case=case, now=now)
    events = [
        chain_event(
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
    ]
    if found:
        events.append(
            chain_event(
                secret=settings.data_key,
                case=case,
                type_=CaseEventType.duplicate_flagged,
                actor_id=None,
                now=now,
                data={"candidates": [str(duplicate.id) for duplicate in found]},
            )
        )
    links = new_links(case_id=case.id, found=found, now=now)
    inserted = await insert_new_case(
        session,
        case,
        {
            "case_categories": category_values(case),
            "case_events": [row_values(CASE_EVENTS, event) for event in events],
            "case_duplicates": link_values(links),
        },
    )
    if not inserted:
        # Another request with the same client_reference committed first.
        existing = (
            await _existing_by_client_reference(
                session, reporter=reporter, client_reference=case.client_reference
            )
            if case.client_reference is not None
            else None
        )
        if existing is None:
            raise Conflict("The case could not be stored; retry.", headers={"Retry-After": "1"})
        return await answer_for(
            session, case=existing, viewer=reporter, settings=settings, status_code=200, now=now
        )
    shown = links_shown(links, found, case_reference=case.reference, viewer=reporter)
    return _answer(case, viewer=reporter, settings=settings, duplicates=shown, now=now)


def _answer(
    case: Case,
    *,
    viewer: User,
    settings: Settings,
    duplicates: list[DuplicateOut],
    now: datetime,
) -> idempotency.StoredAnswer:
    """The 201 answer of a new case, rendered once from what intake holds (no read back): the
    only person it names is its reporter, the caller."""
    context = CaseContext(names={viewer.id: viewer.display_name}, original=None)
    body = render_case(
        case, viewer=viewer, settings=settings, context=context, duplicates=duplicates, now=now
    )
    return idempotency.StoredAnswer(
        status_code=201,
        body=body.model_dump_json().encode(),
        headers={
            "content-type": "application/json",
            "etag": etag(case),
            "location": f"/api/v1/cases/{case.id}",
        },
        made_for=viewer.role,
    )
