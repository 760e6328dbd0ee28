"""Exports (SPEC §8): the case list and the statistics as CSV, each export recorded.

What a case list export holds is the minimum a supervisor needs to count and follow up cases
outside the service: the reference (to open a case in the service, where each read is
recorded), when it was opened, its status, urgency, categories, channel and area, and whether
it has a lead. Never a name, an id number, a phone number, an address or the summary.

An export is recorded once, as one `exports` row (who, when, what, the filters, how many rows;
a text search only by its kind, or the reference it named)
with an HMAC over its content, appended in the request's own transaction. It is not written
into each exported case's history: that would lock and re-chain every case of the file.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import STAFF
from models.base import new_id
from models.case import Case
from models.statistics import ExportKind, ExportRecord, Statistics
from models.user import User
from service.cases.listing import CaseFilters, build_case_list_query, parse_search
from service.platform.crypto import audit_key
from service.platform.errors import Forbidden
from service.platform.pagination import encode_time_id_cursor
from service.statistics.csv_files import csv_text
from service.thai.dates import BANGKOK

# Rows of one case list export; the `Next-Cursor` header continues past it.
EXPORT_ROWS = 1000
_LABEL = b"export\n"

CASE_COLUMNS = (
    "reference",
    "opened_at",
    "status",
    "urgency",
    "categories",
    "channel",
    "country_code",
    "province_code",
    "district_code",
    "has_lead",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class CsvFile:
    """A CSV export: its text, rows, and the cursor of the rows after it (if any)."""

    text: str
    rows: int
    next_cursor: str | None = None


def _local(moment: datetime) -> str:
    return moment.astimezone(BANGKOK).isoformat(timespec="seconds")


def _search_kind(q: str, secret: str) -> str:
    """What a text search looked for, as recorded: a reference as given, otherwise only its
    kind, so that no id number, phone or name is written into the export record."""
    search = parse_search(q, secret=secret)
    if search.reference is not None:
        return search.reference
    if search.id_hashes:
        return "<id number>"
    if search.phone is not None:
        return "<phone>"
    return "<name>"


def _filters_record(filters: CaseFilters, cursor: str | None, secret: str) -> dict[str, Any]:
    """The filters as stored with the export record."""
    values = {k: v for k, v in asdict(filters).items() if v not in (None, [])}
    if filters.q:
        values["q"] = _search_kind(filters.q, secret)
    if cursor:
        values["cursor"] = cursor
    stored: dict[str, Any] = json.loads(json.dumps(values, default=str))
    return stored


async def export_cases(
    session: AsyncSession,
    *,
    secret: str,
    user: User,
    filters: CaseFilters,
    cursor: str | None,
    now: datetime,
) -> CsvFile:
    """The case list as CSV, at most `EXPORT_ROWS` rows, newest first; staff only."""
    if user.role not in STAFF:
        raise Forbidden("Only the center's staff export case lists.")
    query = build_case_list_query(
        user=user, filters=filters, limit=EXPORT_ROWS, cursor=cursor, secret=secret
    )
    assert query is not None, "staff see every case"
    # A restricted case (PDPA s.32, s.34) is never exported, even by a supervisor.
    query = query.where(col(Case.restricted_at).is_(None))
    rows = (
        await session.execute(
            query.with_only_columns(
                col(Case.id),
                col(Case.reference),
                col(Case.created_at),
                col(Case.status),
                col(Case.urgency),
                col(Case.categories),
                col(Case.channel),
                col(Case.country_code),
                col(Case.province_code),
                col(Case.district_code),
                col(Case.lead_id),
                col(Case.updated_at),
            )
        )
    ).all()
    page = rows[:EXPORT_ROWS]
    lines = [
        (ref, _local(opened), status, urgency, ";".join(categories), channel, country,
         province, district, "yes" if lead else "no", _local(updated))
        for _, ref, opened, status, urgency, categories, channel, country, province, district,
        lead, updated in page
    ]  # fmt: skip
    next_cursor = (
        encode_time_id_cursor(page[-1][2], page[-1][0]) if len(rows) > EXPORT_ROWS else None
    )
    await record_export(
        session,
        secret=secret,
        user=user,
        kind=ExportKind.cases,
        filters=_filters_record(filters, cursor, secret),
        rows=len(lines),
        now=now,
    )
    return CsvFile(csv_text(CASE_COLUMNS, lines), len(lines), next_cursor)


STATISTICS_COLUMNS = ("section", "key", "sex", "age_band", "region", "measure", "value")


def _figures(section: str, key: str, **measures: object) -> list[Sequence[object]]:
    return [(section, key, "", "", "", measure, value) for measure, value in measures.items()]


def statistics_rows(stats: Statistics) -> list[Sequence[object]]:
    """The statistics flattened to one figure a row (pure)."""
    rows = [
        *_figures("period", "from", date=stats.from_date),
        *_figures("period", "to", date=stats.to_date),
        *_figures("cases", "all", cases=stats.cases),
    ]
    for section in ("category", "status", "urgency", "province", "region", "channel", "week"):
        for count in getattr(stats, f"by_{section}"):
            rows += _figures(section, count.key, cases=count.cases)
    for h in stats.hotline:
        rows.append(("hotline", h.problem_type, h.sex, h.age_band, h.region, "cases", h.cases))
    for d in stats.durations or []:
        rows += _figures(
            "duration",
            f"{d.deadline.value}/{d.clock.value}",
            cases=d.cases,
            median_seconds=d.median_seconds,
            p90_seconds=d.p90_seconds,
        )
    for s in stats.sla or []:
        key = f"{s.urgency.value}/{s.deadline.value}"
        rows += _figures("sla", key, decided=s.decided, met=s.met, compliance=s.compliance)
    for a in stats.referrals or []:
        rows += _figures(
            "referrals",
            a.organization_name,
            referrals=a.referrals,
            answered=a.answered,
            accepted=a.accepted,
            acceptance_rate=a.acceptance_rate,
            median_answer_seconds=a.median_answer_seconds,
        )
    return rows


async def export_statistics(
    session: AsyncSession, *, secret: str, user: User, stats: Statistics, now: datetime
) -> CsvFile:
    """The statistics as CSV, recorded as an export."""
    rows = statistics_rows(stats)
    await record_export(
        session,
        secret=secret,
        user=user,
        kind=ExportKind.statistics,
        filters={"from": stats.from_date.isoformat(), "to": stats.to_date.isoformat()},
        rows=len(rows),
        now=now,
    )
    return CsvFile(csv_text(STATISTICS_COLUMNS, rows), len(rows))


def export_hash(
    secret: str,
    *,
    export_id: uuid.UUID,
    user_id: uuid.UUID,
    kind: ExportKind,
    filters: dict[str, Any],
    rows: int,
    at: datetime,
) -> str:
    """The keyed HMAC over one export record's content (pure)."""
    content = "\n".join(
        (str(export_id), str(user_id), kind.value, json.dumps(filters, sort_keys=True),
         str(rows), at.astimezone(UTC).isoformat(timespec="microseconds"))
    )  # fmt: skip
    return audit_key(secret).sign(_LABEL + content.encode())


async def record_export(
    session: AsyncSession,
    *,
    secret: str,
    user: User,
    kind: ExportKind,
    filters: dict[str, Any],
    rows: int,
    now: datetime,
) -> None:
    """Append one export record: a single INSERT."""
    export_id = new_id()
    await session.execute(
        sa.insert(ExportRecord),
        {
            "id": export_id,
            "exported_by_id": user.id,
            "kind": kind,
            "filters": filters,
            "rows": rows,
            "at": now,
            "hash": export_hash(
                secret, export_id=export_id, user_id=user.id, kind=kind, filters=filters,
                rows=rows, at=now,
            ),
        },
    )  # fmt: skip
