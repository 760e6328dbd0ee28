"""A case as one viewer may see it: the answer's body, its ETag, and what is masked.

What a viewer sees of the client follows `CLIENT_FIELDS`: a field with `shown_in_full` (the id
number) is masked for everyone else. Possible duplicates are listed for staff only
(`service.cases.duplicates.load_duplicates`); the case this one duplicates is named only to
those who may read it. People on the case are named (`CaseContext`). Ages are computed for the
request's own time, never the wall clock, so an answer is the same whenever it is rendered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.policy import may_read_case
from models.case import (
    Case,
    CaseOut,
    ClientOut,
    ConsentOut,
    DuplicateOut,
    LocationOut,
    ReporterOut,
    RestrictionOut,
)
from models.case_deadlines import CaseDeadlinesOut, DeadlineOut
from models.enums import Category, Role, TargetGroup
from models.user import User
from service.cases.client_fields import CLIENT_FIELDS, ClientField, Reading, client_age
from service.cases.duplicates import load_duplicates
from service.cases.loading import CaseContext, etag, load_context
from service.deadlines.stamping import stored_deadlines
from service.platform.crypto import mask_id_number, open_id_number
from service.platform.idempotency import StoredAnswer
from service.platform.settings import Settings
from service.thai.dates import BANGKOK


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
    case: Case,
    *,
    viewer: User,
    settings: Settings,
    context: CaseContext,
    duplicates: list[DuplicateOut],
    now: datetime,
    duplicates_total: int | None = None,
) -> CaseOut:
    """The case as `viewer` may see it (id numbers masked for volunteers and agencies)."""
    today = now.astimezone(BANGKOK).date()
    shows_original = context.original is not None and may_read_case(
        viewer.id, viewer.role, context.original
    )
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
            country_code=case.country_code,
            city=case.city,
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
        created_by_name=context.names.get(case.created_by_id),
        lead=case.lead_id,
        lead_name=context.names.get(case.lead_id) if case.lead_id else None,
        screened_at=case.screened_at,
        screened_by=case.screened_by_id,
        screened_by_name=context.names.get(case.screened_by_id) if case.screened_by_id else None,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
        closure_reason=case.closure_reason,
        duplicate_of=case.duplicate_of_id if shows_original else None,
        created_at=case.created_at,
        updated_at=case.updated_at,
        version=case.version,
        possible_duplicates=duplicates,
        possible_duplicates_total=len(duplicates) if duplicates_total is None else duplicates_total,
        deadlines=render_deadlines(case, now=now),
        restriction=render_restriction(case) if viewer.role is Role.supervisor else None,
    )


def render_restriction(case: Case) -> RestrictionOut | None:
    """Why the case is restricted and since when, or None."""
    if case.restricted_at is None:
        return None
    return RestrictionOut(
        basis=case.restriction_basis or "",
        reason=case.restriction_reason or "",
        since=case.restricted_at,
        by=case.restricted_by_id,
    )


def render_deadlines(case: Case, *, now: datetime) -> CaseDeadlinesOut | None:
    """Both deadlines as the case row holds them, each with where it stands at `now`."""
    deadlines = stored_deadlines(case)
    if deadlines is None:
        return None
    return CaseDeadlinesOut(
        **{
            kind: DeadlineOut(
                due_at=deadline.due_at,
                warn_at=deadline.warn_at,
                met_at=deadline.met_at,
                state=deadline.state(now),
            )
            for kind, deadline in (
                ("first_response", deadlines.first_response),
                ("resolution", deadlines.resolution),
            )
        }
    )


async def case_for_viewer(
    session: AsyncSession,
    *,
    case: Case,
    viewer: User,
    settings: Settings,
    now: datetime,
    context: CaseContext | None = None,
) -> tuple[CaseOut, str]:
    """The case as `viewer` may see it, with the possible duplicates they may see, and its ETag.

    `context` is loaded (one query) unless the caller loaded it with the case."""
    if context is None:
        context = await load_context(session, case=case)
    duplicates = await load_duplicates(session, case_id=case.id, viewer=viewer)
    body = render_case(
        case,
        viewer=viewer,
        settings=settings,
        context=context,
        duplicates=duplicates.items,
        duplicates_total=duplicates.total,
        now=now,
    )
    return body, etag(case)


async def answer_for(
    session: AsyncSession,
    *,
    case: Case,
    viewer: User,
    settings: Settings,
    status_code: int,
    now: datetime,
) -> StoredAnswer:
    """The exact bytes and headers of a case answer (stored for idempotent replays)."""
    body, tag = await case_for_viewer(session, case=case, viewer=viewer, settings=settings, now=now)
    return StoredAnswer(
        status_code=status_code,
        body=body.model_dump_json().encode(),
        headers={
            "content-type": "application/json",
            "etag": tag,
            "location": f"/api/v1/cases/{case.id}",
        },
    )
