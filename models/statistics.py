"""Statistics of the center's cases (SPEC §4, §6) and the record of every export (SPEC §8).

An export of the case list or of the statistics is one `exports` row: who, when, what, with
which filters and how many rows. Like the access log it is append-only, carries an HMAC over
its own content, and has no foreign key (an export outlives an account, and writing it must not
lock anything else).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import EnumText, UTCDateTime, new_id
from models.enums import Urgency
from models.events import KEYED_VALUE_LENGTH


class ExportKind(StrEnum):
    """What an export held."""

    cases = "cases"
    statistics = "statistics"
    subject_access = "subject_access"  # a data-subject access or portability export


class ExportRecord(SQLModel, table=True):
    """One export. Never updated or deleted by the application."""

    __tablename__ = "exports"
    __table_args__ = (sa.Index("ix_exports_at", "at", "id"),)

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    exported_by_id: uuid.UUID
    kind: ExportKind = SQLField(sa_type=EnumText(ExportKind, 16))
    filters: dict[str, Any] = SQLField(default_factory=dict, sa_type=sa.JSON)
    rows: int
    at: datetime = SQLField(sa_type=UTCDateTime)
    hash: str = SQLField(max_length=KEYED_VALUE_LENGTH)


# --------------------------------------------------------------------------- API schemas


class Count(BaseModel):
    """Cases with one value of a grouping."""

    key: str = Field(description="The code counted (a category, status, province code...).")
    cases: int


class HotlineCount(BaseModel):
    """Cases of one national hotline problem type, for one sex, age band and region."""

    problem_type: str = Field(description="One of the hotline's ten problem types.")
    sex: str = Field(description="`male`, `female`, `other` or `unknown`.")
    age_band: str = Field(description="`0-17`, `18-59`, `60+` or `unknown`, age at intake.")
    region: str = Field(description="A region code, `abroad` or `unknown`.")
    cases: int


class DeadlineKind(StrEnum):
    first_response = "first_response"
    resolution = "resolution"


class ClockKind(StrEnum):
    clock = "clock"
    working = "working"


class Duration(BaseModel):
    """How long one deadline took to be met, over the cases of the period that met it."""

    deadline: DeadlineKind
    clock: ClockKind = Field(description="`clock`: elapsed time; `working`: open hours only.")
    cases: int = Field(description="Cases the figures are computed over.")
    median_seconds: float | None
    p90_seconds: float | None
    complete: bool = Field(
        description="False when the period holds more met deadlines than are read for "
        "working time; the figures then cover the newest `cases` of them."
    )


class SlaCompliance(BaseModel):
    """Deadlines of one urgency decided in the period: met on time, or due and missed."""

    urgency: Urgency
    deadline: DeadlineKind
    decided: int = Field(description="Deadlines met, or past their due time unmet.")
    met: int = Field(description="Deadlines met on or before their due time.")
    compliance: float | None = Field(description="`met / decided`; null when none decided.")


class AgencyReferrals(BaseModel):
    """Referrals sent to one agency in the period and how it answered."""

    organization_id: uuid.UUID
    organization_name: str
    referrals: int
    answered: int
    accepted: int
    acceptance_rate: float | None = Field(description="`accepted / answered`.")
    median_answer_seconds: float | None


class Statistics(BaseModel):
    """Statistics of the cases opened in a period (Bangkok days, both ends included)."""

    from_date: date
    to_date: date
    cases: int
    by_category: list[Count]
    by_status: list[Count]
    by_urgency: list[Count]
    by_province: list[Count] = Field(description="`abroad` or `unknown` for no province.")
    by_region: list[Count]
    by_channel: list[Count]
    by_week: list[Count] = Field(description="ISO weeks in Bangkok, e.g. `2026-W48`.")
    hotline: list[HotlineCount]
    durations: list[Duration] | None = Field(
        description="Time to first response and to resolution; not shown to admins."
    )
    sla: list[SlaCompliance] | None = Field(description="Not shown to admins.")
    referrals: list[AgencyReferrals] | None = Field(description="Not shown to admins.")
