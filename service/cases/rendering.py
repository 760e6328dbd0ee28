"""A case as one viewer may see it: the answer's body, its ETag, and what is masked.

What a viewer sees of the client follows `CLIENT_FIELDS`: a field with `shown_in_full` (the id
number) is masked for everyone else. Possible duplicates are listed for staff only
(`service.cases.duplicates.load_duplicates`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.case import (
    Case,
    CaseOut,
    ClientOut,
    ConsentOut,
    DuplicateOut,
    LocationOut,
    ReporterOut,
)
from models.enums import Category, TargetGroup
from models.user import User
from service.cases.client_fields import CLIENT_FIELDS, ClientField, Reading, client_age
from service.cases.duplicates import load_duplicates
from service.platform.crypto import mask_id_number, open_id_number
from service.platform.idempotency import StoredAnswer
from service.platform.settings import Settings
from service.thai.dates import BANGKOK


def etag(case: Case) -> str:
    """The strong ETag of a case's current version."""
    return f'"{case.version}"'


def _id_number_for(
    case: Case, client_field: ClientField, viewer: User, settings: Settings
) -> tuple[str | None, bool]:
    """The id number as `viewer` may see it, and whether it is masked."""
    if case.client_id_number_enc is None:
        return None, False
    if client_field.shown_in_full is None or client_field.shown_in_full(viewer.role):
        return open_id_number(settings.data_key, case.client_id_number_enc, case.id), False
    return mask_id_number(case.client_id_last4), True


def render_client(case: Case, *, viewer: User, settings: Settings, today: date) -> ClientOut:
    """The client fields as `viewer` may see them, with the age today."""
    shown: dict[str, Any] = {}
    masked = False
    for client_field in CLIENT_FIELDS:
        value = getattr(case, client_field.column)
        if client_field.reading is Reading.id_number:
            value, masked = _id_number_for(case, client_field, viewer, settings)
        elif client_field.reading is Reading.listed:
            value = list(value)
        shown[client_field.name] = value
    age = client_age(
        case.client_birth_date, case.client_birth_year, case.client_age_estimate, today
    )
    return ClientOut(**shown, id_number_masked=masked, age=age)


def render_case(
    case: Case, *, viewer: User, settings: Settings, duplicates: list[DuplicateOut]
) -> CaseOut:
    """The case as `viewer` may see it (id numbers masked for volunteers and agencies)."""
    today = datetime.now(BANGKOK).date()
    return CaseOut(
        id=case.id,
        reference=case.reference,
        status=case.status,
        urgency=case.urgency,
        suggested_urgency=case.suggested_urgency,
        immediate_danger=case.immediate_danger,
        categories=[Category(c) for c in case.categories],
        target_groups=[TargetGroup(g) for g in case.target_groups],
        channel=case.channel,
        summary=case.summary,
        recorded_at=case.recorded_at,
        client_reference=case.client_reference,
        client=render_client(case, viewer=viewer, settings=settings, today=today),
        reporter=ReporterOut(
            relationship=case.reporter_relationship,
            name=case.reporter_name,
            phone=case.reporter_phone,
            anonymous=case.reporter_anonymous,
        ),
        location=LocationOut(
            province_code=case.province_code,
            district_code=case.district_code,
            subdistrict_code=case.subdistrict_code,
            postal_code=case.postal_code,
            address=case.address_text,
            lat=case.lat,
            lon=case.lon,
        ),
        consent=ConsentOut(
            data_collection=case.consent_data_collection,
            share_with_agencies=case.consent_share_with_agencies,
            basis=case.legal_basis,
            recorded_by=case.consent_recorded_by,
            recorded_by_id=case.consent_recorded_by_id,
            guardian_name=case.guardian_name,
        ),
        created_by=case.created_by_id,
        lead=case.lead_id,
        screened_at=case.screened_at,
        screened_by=case.screened_by_id,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
        closure_reason=case.closure_reason,
        duplicate_of=case.duplicate_of_id,
        created_at=case.created_at,
        updated_at=case.updated_at,
        version=case.version,
        possible_duplicates=duplicates,
    )


async def case_for_viewer(
    session: AsyncSession, *, case: Case, viewer: User, settings: Settings
) -> tuple[CaseOut, str]:
    """The case as `viewer` may see it, with the possible duplicates they may see, and its ETag."""
    duplicates = await load_duplicates(session, case_id=case.id, viewer=viewer)
    return render_case(case, viewer=viewer, settings=settings, duplicates=duplicates), etag(case)


async def answer_for(
    session: AsyncSession, *, case: Case, viewer: User, settings: Settings, status_code: int
) -> StoredAnswer:
    """The exact bytes and headers of a case answer (stored for idempotent replays)."""
    body, tag = await case_for_viewer(session, case=case, viewer=viewer, settings=settings)
    return StoredAnswer(
        status_code=status_code,
        body=body.model_dump_json().encode(),
        headers={
            "content-type": "application/json",
            "etag": tag,
            "location": f"/api/v1/cases/{case.id}",
        },
    )
