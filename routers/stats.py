"""Statistics of the cases opened in a period, as JSON or as a CSV file (SPEC §4, §6, §8)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from auth.dependencies import AppSettings, StatisticsReader
from models.base import utcnow
from models.statistics import Statistics
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.statistics import exports, report
from service.statistics.csv_files import CSV_MEDIA_TYPE, wants_csv

router = APIRouter(prefix=f"{API_PREFIX}/stats", tags=["statistics"])

CSV_ANSWER: dict[str, Any] = {
    "content": {
        CSV_MEDIA_TYPE: {
            "schema": {"type": "string"},
            "example": "\ufeffsection,key,sex,age_band,region,measure,value\r\n",
        }
    },
}
DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DAY_TEXT = (
    "A day in Bangkok, `YYYY-MM-DD`; a Buddhist Era year is accepted (`2569-11-30`). "
    "Checked by the server beyond this schema: a day of the calendar, `from` not after `to`, "
    "at most 400 days."
)


def csv_response(file: exports.CsvFile, filename: str) -> Response:
    """A CSV export as a download that is not cached."""
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    if file.next_cursor:
        headers["Next-Cursor"] = file.next_cursor
    return Response(
        file.text.encode("utf-8"),
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers=headers,
    )


@router.get(
    "",
    summary="Statistics",
    response_model=Statistics,
    responses={200: CSV_ANSWER, **problem_schema_responses(401, 403, 422)},
)
async def read_statistics(
    request: Request,
    user: StatisticsReader,
    session: Session,
    settings: AppSettings,
    from_: Annotated[
        str | None, Query(alias="from", pattern=DAY, description=f"First day. {DAY_TEXT}")
    ] = None,
    to: Annotated[str | None, Query(pattern=DAY, description=f"Last day. {DAY_TEXT}")] = None,
) -> Any:
    """Counts, durations, deadline compliance and referral answers of the cases opened from
    `from` to `to` (both included; by default the last 30 days); admins get counts only;
    `Accept: text/csv` gives a CSV file, recorded as an export."""
    now = utcnow()
    first, last = report.period_of(from_, to, now=now)
    stats = await report.read_statistics(session, user=user, first=first, last=last, now=now)
    if not wants_csv(request.headers.get("accept")):
        return stats
    file = await exports.export_statistics(
        session, secret=settings.data_key, user=user, stats=stats, now=now
    )
    return csv_response(file, f"statistics-{first}-{last}.csv")
