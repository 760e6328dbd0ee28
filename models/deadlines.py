"""Deadline policies per urgency and the center's working calendar: tables and API schemas."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from itertools import pairwise
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import EnumText, UTCDateTime
from models.enums import BudgetUnit, Urgency

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOCK_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
_CLOCK_TIME = re.compile(CLOCK_TIME)

# --------------------------------------------------------------------------- tables


class DeadlinePolicy(SQLModel, table=True):
    """How long a case of one urgency may wait for screening and for resolution."""

    __tablename__ = "deadline_policies"

    urgency: Urgency = SQLField(sa_type=EnumText(Urgency, 12), primary_key=True)
    first_response_amount: int
    first_response_unit: BudgetUnit = SQLField(sa_type=EnumText(BudgetUnit, 16))
    resolution_amount: int
    resolution_unit: BudgetUnit = SQLField(sa_type=EnumText(BudgetUnit, 16))
    updated_at: datetime = SQLField(sa_type=UTCDateTime)
    updated_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")


class WorkingCalendarRecord(SQLModel, table=True):
    """The center's one working calendar: windows per weekday and its own closed and open days."""

    __tablename__ = "working_calendars"

    id: int = SQLField(default=1, primary_key=True)
    week: dict[str, list[list[str]]] = SQLField(sa_type=sa.JSON)
    closed_days: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    open_days: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    version: int = 1
    updated_at: datetime = SQLField(sa_type=UTCDateTime)
    updated_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")


# --------------------------------------------------------------------------- schemas


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BudgetIO(_Strict):
    """An amount of time: `hours` and `days` run around the clock, `business_days` only in
    the calendar's open hours (one business day is its longest working day)."""

    amount: int = Field(ge=1, le=10_000)
    unit: BudgetUnit


class DeadlinePolicyIO(_Strict):
    urgency: Urgency
    first_response: BudgetIO = Field(description="From intake until the case is screened.")
    resolution: BudgetIO = Field(description="From intake until the case is resolved.")


class DeadlinePolicies(_Strict):
    """All four urgencies, each once."""

    items: list[DeadlinePolicyIO] = Field(min_length=4, max_length=4)

    @field_validator("items")
    @classmethod
    def _each_urgency_once(cls, items: list[DeadlinePolicyIO]) -> list[DeadlinePolicyIO]:
        if {item.urgency for item in items} != set(Urgency):
            raise PydanticCustomError("consistency", "each urgency exactly once")
        order = list(Urgency)
        return sorted(items, key=lambda item: order.index(item.urgency))


class WindowIO(_Strict):
    """Open hours within a day, Asia/Bangkok local time, `HH:MM` (24-hour)."""

    start: Annotated[str, Field(pattern=CLOCK_TIME, examples=["08:30"])]
    end: Annotated[str, Field(pattern=CLOCK_TIME, examples=["12:00"])]

    @model_validator(mode="after")
    def _ends_after_start(self) -> WindowIO:
        if _CLOCK_TIME.match(self.start) and _CLOCK_TIME.match(self.end) and self.end <= self.start:
            raise PydanticCustomError("range", "a window ends after it starts")
        return self


DayWindows = Annotated[list[WindowIO], Field(max_length=6)]


class WeekIO(_Strict):
    monday: DayWindows = []
    tuesday: DayWindows = []
    wednesday: DayWindows = []
    thursday: DayWindows = []
    friday: DayWindows = []
    saturday: DayWindows = []
    sunday: DayWindows = []

    @model_validator(mode="after")
    def _no_overlap(self) -> WeekIO:
        for name in WEEKDAYS:
            windows = sorted(getattr(self, name), key=lambda window: window.start)
            if any(a.end > b.start for a, b in pairwise(windows)):
                raise PydanticCustomError("consistency", "windows of one day overlap")
        if not any(getattr(self, name) for name in WEEKDAYS):
            raise PydanticCustomError("consistency", "a week needs open hours")
        return self


class WorkingCalendarIO(_Strict):
    """The center's working calendar; the holidays of Thailand are added by the server."""

    week: WeekIO
    closed_days: list[date] = Field(
        default=[], max_length=400, description="Days the center is closed besides the holidays."
    )
    open_days: list[date] = Field(
        default=[], max_length=400, description="Public holidays on which the center works."
    )


class Holiday(BaseModel):
    day: date
    name_th: str
    name_en: str


class WorkingCalendarOut(WorkingCalendarIO):
    model_config = ConfigDict(extra="ignore")

    holidays: list[Holiday] = Field(
        description="Thailand's public and government holidays this year and next, with the "
        "center's closed days and without its open days: the days the deadline clock skips."
    )
    version: int
