"""A case's two deadlines as stored on the case row (SPEC §6): columns and their indexes.

Each deadline (first response, resolution) keeps its due and warning times, when it stopped
counting (`*_met_at`: screening or resolution, or closure before either) and when the worker
recorded its warning and its breach (each once). The resolution clock pauses while the case
is `awaiting_client`: `clock_paused_at` marks the pause running, `clock_pauses` the pauses that
ended, and the resolution times are empty while paused. `deadline_rules_version` names the
policy and calendar the times were computed from, so a change of either is found and applied.

The `Case` table takes these columns from `CaseDeadlineFields`; `DEADLINE_INDEXES` go into its
table arguments. Every index is partial over the deadlines still counting, which at any time
are a small share of all cases.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import UTCDateTime
from models.enums import CaseStatus, Urgency

DEADLINE_KINDS = ("first_response", "resolution")
RESOLUTION_COUNTING = "resolution_met_at IS NULL"


class DeadlineKind(StrEnum):
    """Which of a case's two deadlines."""

    first_response = "first_response"
    resolution = "resolution"


class DeadlineState(StrEnum):
    """Where one deadline stands at a moment."""

    met = "met"
    on_time = "on_time"
    at_risk = "at_risk"  # past the warning (75 % of the time)
    breached = "breached"
    paused = "paused"


class CaseDeadlineFields(SQLModel):
    """The deadline columns of `cases`."""

    first_response_due_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    first_response_warn_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    first_response_met_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    first_response_warned_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    first_response_breached_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    resolution_due_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    resolution_warn_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    resolution_met_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    resolution_warned_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    resolution_breached_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    clock_paused_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    clock_pauses: list[list[str]] = SQLField(
        default_factory=list,
        sa_type=sa.JSON,
        description="Ended pauses of the resolution clock: [start, end] ISO 8601 pairs.",
    )
    deadline_rules_version: int | None = SQLField(default=None)


def _partial(name: str, columns: tuple[str, ...], where: str) -> sa.Index:
    condition = sa.text(where)
    return sa.Index(name, *columns, postgresql_where=condition, sqlite_where=condition)


def _indexes() -> tuple[sa.Index, ...]:
    indexes: list[sa.Index] = []
    for kind in DEADLINE_KINDS:
        counting = f"{kind}_met_at IS NULL"
        indexes += [
            # The at-risk and breached queues: deadlines still counting, soonest due first.
            _partial(f"ix_cases_{kind}_due", (f"{kind}_due_at", "id"), counting),
            # The worker: warnings and breaches not yet recorded.
            _partial(
                f"ix_cases_{kind}_to_warn",
                (f"{kind}_warn_at",),
                f"{counting} AND {kind}_warned_at IS NULL",
            ),
            _partial(
                f"ix_cases_{kind}_to_breach",
                (f"{kind}_due_at",),
                f"{counting} AND {kind}_breached_at IS NULL",
            ),
        ]
    # The worker: cases still counting whose times other rules (or none yet) computed. A case
    # whose resolution stopped counting has stopped counting its first response too.
    indexes.append(
        _partial(
            "ix_cases_counting_rules_version", ("deadline_rules_version",), RESOLUTION_COUNTING
        )
    )
    return tuple(indexes)


DEADLINE_INDEXES: tuple[Any, ...] = _indexes()


# --------------------------------------------------------------------------- schemas


class DeadlineOut(BaseModel):
    """One deadline of a case as it stands when read."""

    due_at: datetime | None = Field(
        description="When the time runs out; null while the clock is paused (awaiting client)."
    )
    warn_at: datetime | None = Field(description="When 75 % of the time has run.")
    met_at: datetime | None = Field(
        description="When it stopped counting: screening (first response), resolution, or "
        "closure before either."
    )
    state: DeadlineState = Field(
        description="`met` (stopped in time), `on_time`, `at_risk` (past the warning), "
        "`breached` (past due, or met late) or `paused`."
    )


class CaseDeadlinesOut(BaseModel):
    """Time to first response (screening) and to resolution, by the case's urgency's policy."""

    first_response: DeadlineOut
    resolution: DeadlineOut


class DeadlineQueueItem(BaseModel):
    """A case in a deadline queue, with the deadline that put it there."""

    case_id: uuid.UUID
    reference: str
    status: CaseStatus
    urgency: Urgency
    lead: uuid.UUID | None
    province_code: str | None
    created_at: datetime
    deadline: DeadlineKind
    due_at: datetime
    warn_at: datetime | None
    seconds_left: int | None = Field(
        description="At-risk queue: seconds until the deadline is breached; null in the "
        "breached queue."
    )
    seconds_overdue: int | None = Field(
        description="Breached queue: seconds since the deadline passed; null in the at-risk queue."
    )


class DeadlineQueuePage(BaseModel):
    """One page of a deadline queue, soonest due first."""

    items: list[DeadlineQueueItem]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
