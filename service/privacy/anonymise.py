"""Anonymising a closed case (PDPA s.33 erasure, and the retention period's end).

What is cleared comes from the declarations of `models.processing`: every column that holds
personal data about the client or the people around them, in the case and in the rows that
hang off it (notes, consent records, offers, referrals). Personal columns of the `activity`
and `account` categories name the center's staff (who acted, who read), not the client: they
stay, as the audit chain covers them.

What stays, beyond the columns that hold no personal data (categories, dates, status, urgency,
province, channel, target groups): the client's sex and a generalised age (the decade), which
the national hotline report counts, and the consent answers and legal basis, which record on
what ground the data was processed.

The history stays valid: events hold no personal values (changed personal fields are named,
their values withheld), so none is rewritten; one `anonymised` event is appended. Stored
intake answers and subject-access export records that held the case are deleted, and the
identifiers given in the data-subject requests that named it are cleared.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.base import metadata
from models.case import Case, IdempotencyRecord
from models.enums import CaseEventType, CaseStatus, IdType, ReporterRelationship
from models.events import CaseEvent
from models.privacy_requests import PrivacyRequest, PrivacyRequestCase
from models.processing import TABLES, DataCategory
from models.statistics import ExportKind, ExportRecord
from service.cases.client_fields import client_age
from service.cases.events import append_event
from service.platform.errors import Conflict, NotFound
from service.thai.dates import BANGKOK

ANONYMISED_TEXT = "[anonymised]"
# Categories that name the center's own staff, kept with the audit trail.
STAFF_CATEGORIES = frozenset({DataCategory.activity, DataCategory.account})
# Client columns kept: what the statistics count, and the ground the data was processed on.
KEPT_COLUMNS: dict[str, frozenset[str]] = {
    "cases": frozenset(
        {
            "client_gender",
            "client_age_estimate",
            "consent_data_collection",
            "consent_share_with_agencies",
            "legal_basis",
        }
    ),
    # A consent record stays the record of what was allowed, and when; who gave it for a
    # minor, and why it was withdrawn, go.
    "case_consents": frozenset(
        {"groups", "organization_ids", "expires_at", "withdrawn_groups", "withdrawn_at"}
    ),
}
# Tables whose rows belong to one case, and the column that names it.
CASE_ROWS: dict[str, str] = {
    "cases": "id",
    "case_notes": "case_id",
    "case_consents": "case_id",
    "offers": "case_id",
    "referrals": "case_id",
}
# Required columns without a neutral value of their type.
CLEARED_VALUES: dict[tuple[str, str], Any] = {
    ("cases", "client_id_type"): IdType.unknown.value,
    ("cases", "reporter_relationship"): ReporterRelationship.other.value,
}
REQUEST_SUBJECT_COLUMNS = (
    "requester_name",
    "subject_id_type",
    "subject_id_hash",
    "subject_id_number_enc",
    "subject_phone",
    "subject_first_name",
    "subject_last_name",
    "subject_birth_date",
    "details",
)


def cleared_columns(table_name: str) -> list[str]:
    """The columns of `table_name` that anonymising clears (pure)."""
    declared = TABLES[table_name]
    kept = KEPT_COLUMNS.get(table_name, frozenset())
    return sorted(
        column
        for column, category in declared.personal.items()
        if category not in STAFF_CATEGORIES and column not in kept
    )


def cleared_value(table_name: str, column: sa.Column[Any]) -> Any:
    """What a cleared column holds: nothing, false, an empty list, or a neutral word (pure)."""
    if (table_name, column.name) in CLEARED_VALUES:
        return CLEARED_VALUES[(table_name, column.name)]
    if column.nullable:
        return None
    if isinstance(column.type, sa.Boolean):
        return False
    if isinstance(column.type, sa.JSON):
        return []
    return ANONYMISED_TEXT


def cleared_row(table_name: str) -> dict[str, Any]:
    """Every cleared column of `table_name` with its cleared value (pure)."""
    table = metadata.tables[table_name]
    return {name: cleared_value(table_name, table.c[name]) for name in cleared_columns(table_name)}


def generalised_age(case: Case, now: datetime) -> int | None:
    """The client's age at `now` rounded down to its decade, if any age was known (pure)."""
    age = client_age(
        case.client_birth_date,
        case.client_birth_year,
        case.client_age_estimate,
        now.astimezone(BANGKOK).date(),
    )
    return None if age is None else max(age, 0) // 10 * 10


async def is_anonymised(session: AsyncSession, *, case_id: uuid.UUID) -> bool:
    """Whether the case's history already records its anonymisation."""
    found = await session.scalar(
        sa.select(col(CaseEvent.id)).where(
            col(CaseEvent.case_id) == case_id,
            col(CaseEvent.type) == CaseEventType.anonymised,
        )
    )
    return found is not None


async def anonymise_case(
    session: AsyncSession,
    *,
    secret: str,
    case_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    now: datetime,
    reason: str,
) -> bool:
    """Anonymise a closed case; False when it already was (nothing changes). An open case is
    a `Conflict` (`privacy.case_open`): it is still being worked on."""
    case = await session.get(Case, case_id, with_for_update=True)
    if case is None:
        raise NotFound(code="case.not_found")
    if case.status is not CaseStatus.closed:
        raise Conflict(code="privacy.case_open", extra={"case": case.reference})
    if case.anonymised_at is not None or await is_anonymised(session, case_id=case_id):
        return False
    age = generalised_age(case, now)
    for name, value in cleared_row("cases").items():
        setattr(case, name, value)
    case.client_age_estimate = age
    for table_name, link in CASE_ROWS.items():
        if table_name == "cases":
            continue
        table = metadata.tables[table_name]
        await session.execute(
            sa.update(table).where(table.c[link] == case_id).values(cleared_row(table_name))
        )
    await _purge_copies(session, case_id=case_id)
    case.anonymised_at = now
    case.version += 1
    case.updated_at = now
    await append_event(
        session,
        secret=secret,
        case=case,
        type_=CaseEventType.anonymised,
        actor_id=actor_id,
        now=now,
        data={"reason": reason},
    )
    await session.flush()
    return True


async def _purge_copies(session: AsyncSession, *, case_id: uuid.UUID) -> None:
    """Delete the stored intake answers and subject-access export records that held the case,
    and clear the identifiers of the requests that named it."""
    await session.execute(
        sa.delete(IdempotencyRecord).where(
            col(IdempotencyRecord.headers)["location"].as_string() == f"/api/v1/cases/{case_id}"
        )
    )
    request_ids = list(
        (
            await session.scalars(
                sa.select(col(PrivacyRequestCase.request_id)).where(
                    col(PrivacyRequestCase.case_id) == case_id
                )
            )
        ).all()
    )
    if not request_ids:
        return
    await session.execute(
        sa.delete(ExportRecord).where(
            col(ExportRecord.kind) == ExportKind.subject_access,
            col(ExportRecord.filters)["request"].as_string().in_([str(r) for r in request_ids]),
        )
    )
    await session.execute(
        sa.update(PrivacyRequest)
        .where(col(PrivacyRequest.id).in_(request_ids))
        .values(dict.fromkeys(REQUEST_SUBJECT_COLUMNS))
    )
