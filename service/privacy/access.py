"""Access and portability (PDPA s.30-31): everything held about the person of a request,
across the cases it found, as JSON or CSV.

Per case: the case's own fields (the id number opened), its notes, its referrals and what each
shared with which agency, its history, and who read it. The keyed hashes, search keys and
chain values are the center's machinery, not data about the person, and are left out.
Producing the file is recorded twice: one `exports` row (who, when, which request, how many
cases) and an `exported` event in each case's history.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.access_log import CaseRead
from models.agency import Organization, Service
from models.base import metadata
from models.case import Case, CaseNote
from models.enums import CaseEventType
from models.events import CaseEvent
from models.privacy_requests import (
    PrivacyRequest,
    RequestKind,
    RequestOutcome,
    SubjectAccessExport,
)
from models.referral import Referral
from models.statistics import ExportKind
from models.user import User
from service.cases.events import append_event
from service.platform.crypto import open_id_number
from service.platform.errors import Conflict
from service.platform.settings import Settings
from service.privacy.requests import load_request, matched_cases
from service.statistics.csv_files import csv_text
from service.statistics.exports import record_export

CSV_COLUMNS = ("case_reference", "section", "item", "field", "value")
# Columns of a case that are the center's machinery rather than data about the person.
MACHINERY = frozenset(
    {
        "client_id_number_enc",
        "client_id_hash",
        "client_name_key",
        "client_last_name_key",
        "client_first_sound",
        "client_last_sound",
        "client_first_skeleton",
        "client_last_skeleton",
        "last_event_hash",
        "chain_anchor",
        "event_count",
        "deadline_rules_version",
    }
)


def _plain(value: Any) -> Any:
    """A value as JSON holds it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return value


def case_fields(case: Case, *, secret: str) -> dict[str, Any]:
    """The case's columns, the id number opened, machinery left out (pure but for decryption)."""
    table = metadata.tables["cases"]
    fields = {
        column.name: _plain(getattr(case, column.name))
        for column in table.columns
        if column.name not in MACHINERY
    }
    fields["client_id_number"] = (
        open_id_number(secret, case.client_id_number_enc, case.id)
        if case.client_id_number_enc
        else None
    )
    return fields


async def _names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(
        sa.select(col(User.id), col(User.display_name)).where(col(User.id).in_(ids))
    )
    return {user_id: name for user_id, name in rows.all()}


async def _case_record(session: AsyncSession, case: Case, *, secret: str) -> dict[str, Any]:
    """Everything held about one case, each part in its own list."""
    notes = (
        await session.scalars(
            sa.select(CaseNote)
            .where(col(CaseNote.case_id) == case.id)
            .order_by(col(CaseNote.created_at), col(CaseNote.id))
        )
    ).all()
    referrals = (
        await session.execute(
            sa.select(Referral, col(Organization.name), col(Service.name))
            .join(Organization, col(Organization.id) == col(Referral.organization_id))
            .join(Service, col(Service.id) == col(Referral.service_id))
            .where(col(Referral.case_id) == case.id)
            .order_by(col(Referral.created_at), col(Referral.id))
        )
    ).all()
    events = (
        await session.scalars(
            sa.select(CaseEvent)
            .where(col(CaseEvent.case_id) == case.id)
            .order_by(col(CaseEvent.seq))
        )
    ).all()
    reads = (
        await session.scalars(
            sa.select(CaseRead)
            .where(col(CaseRead.case_id) == case.id)
            .order_by(col(CaseRead.at), col(CaseRead.id))
        )
    ).all()
    people = {n.author_id for n in notes} | {e.actor_id for e in events if e.actor_id}
    people |= {r.reader_id for r in reads}
    names = await _names(session, people)
    return {
        "reference": case.reference,
        "case": case_fields(case, secret=secret),
        "notes": [
            {"at": _plain(n.created_at), "author": names.get(n.author_id), "body": n.body}
            for n in notes
        ],
        "referrals": [
            {
                "at": _plain(r.created_at),
                "organization": organization,
                "service": service,
                "shared_groups": list(r.groups),
                "status": _plain(r.status),
                "reason": r.reason,
                "answer_reason": r.answer_reason,
                "answered_at": _plain(r.answered_at),
            }
            for r, organization, service in referrals
        ],
        "events": [
            {
                "seq": e.seq,
                "type": _plain(e.type),
                "at": _plain(e.occurred_at),
                "actor": names.get(e.actor_id) if e.actor_id else None,
                "changes": e.changes,
                "data": e.data,
            }
            for e in events
        ],
        "reads": [
            {"reader": names.get(r.reader_id), "what": _plain(r.what), "at": _plain(r.at)}
            for r in reads
        ],
    }


def export_rows(export: SubjectAccessExport) -> Iterator[tuple[str, str, int, str, str]]:
    """The export flattened: one row per field of each item of each part of each case
    (pure). Lists and objects are written as JSON in their cell."""
    for record in export.cases:
        reference = record["reference"]
        for field, value in record["case"].items():
            yield reference, "case", 0, field, _cell(value)
        for section in ("notes", "referrals", "events", "reads"):
            for number, item in enumerate(record[section], start=1):
                for field, value in item.items():
                    yield reference, section, number, field, _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def export_csv(export: SubjectAccessExport) -> str:
    return csv_text(CSV_COLUMNS, export_rows(export))


async def export_subject_data(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    request_id: uuid.UUID,
    file_format: str,
    now: datetime,
) -> SubjectAccessExport:
    """Everything held about the person of an access or portability request, recorded as an
    export and as an `exported` event on each case."""
    request: PrivacyRequest = await load_request(session, request_id=request_id)
    if request.kind not in (RequestKind.access, RequestKind.portability) or (
        request.outcome is RequestOutcome.refused
    ):
        raise Conflict(code="privacy.not_access")
    matched = (await matched_cases(session, [request.id]))[request.id]
    records = []
    for found in matched:
        case = await session.get(Case, found.id, with_for_update=True)
        if case is None:  # pragma: no cover - cases are never deleted
            continue
        records.append(await _case_record(session, case, secret=settings.data_key))
        await append_event(
            session,
            secret=settings.data_key,
            case=case,
            type_=CaseEventType.exported,
            actor_id=user.id,
            now=now,
            data={"privacy_request": str(request.id), "format": file_format},
        )
    await record_export(
        session,
        secret=settings.data_key,
        user=user,
        kind=ExportKind.subject_access,
        filters={
            "request": str(request.id),
            "format": file_format,
            "cases": [found.reference for found in matched],
        },
        rows=len(records),
        now=now,
    )
    await session.flush()
    return SubjectAccessExport(request_id=request.id, generated_at=now, cases=records)
