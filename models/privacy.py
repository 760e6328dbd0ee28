"""Privacy records (PDPA): the breach register, and the access log as supervisors read it."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import HAS_TEXT, EnumText, UTCDateTime, new_id, no_nul_characters, utcnow
from models.case import IsoDateTime
from models.enums import BreachRisk, CaseReadKind, NotificationState, Role, VulnerableGroup
from models.processing import DataCategory

NOTIFICATION_HOURS = 72  # s.37(4): the regulator is told within 72 hours of becoming aware
DUE_SOON_HOURS = 24


class Breach(SQLModel, table=True):
    """One personal-data breach: what, whose, the risk, and when who was told."""

    __tablename__ = "privacy_breaches"
    __table_args__ = (
        sa.Index("ix_privacy_breaches_detected_at", "detected_at", "id"),
        # The open breaches, soonest notification due first: a handful at any time.
        sa.Index(
            "ix_privacy_breaches_open_due",
            "notify_due_at",
            "id",
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        ),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    detected_at: datetime = SQLField(sa_type=UTCDateTime)
    notify_due_at: datetime = SQLField(sa_type=UTCDateTime)
    description: str = SQLField(sa_type=sa.Text)
    data_categories: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    subjects_affected: int | None = None
    vulnerable_subjects: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    risk: BreachRisk = SQLField(sa_type=EnumText(BreachRisk, 12))
    risk_assessment: str = SQLField(sa_type=sa.Text)
    regulator_notified_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    subjects_notified_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # When the stream announced the notification due soon and overdue: each once.
    due_soon_announced_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    overdue_announced_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    recorded_by_id: uuid.UUID = SQLField(foreign_key="users.id")
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = SQLField(default=1, description="Bumped on every change; the ETag.")


# --------------------------------------------------------------------------- API schemas

DESCRIPTION_TEXT = (
    "What happened and which data, in words that name no person (the register is read by the "
    "regulator)."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _no_nul = field_validator("*")(no_nul_characters)


class BreachIn(_Strict):
    """A breach as it is first recorded."""

    detected_at: IsoDateTime = Field(
        description="When the center became aware of it; the 72-hour clock starts here. "
        "Checked by the server beyond this schema: not in the future."
    )
    description: str = Field(
        min_length=1, max_length=4000, pattern=HAS_TEXT, description=DESCRIPTION_TEXT
    )
    data_categories: list[DataCategory] = Field(min_length=1, max_length=20)
    subjects_affected: int | None = Field(default=None, ge=0, le=10_000_000, strict=True)
    vulnerable_subjects: list[VulnerableGroup] = Field(
        default_factory=list,
        max_length=10,
        description="Vulnerable people among those affected; with any, the risk cannot be "
        "`unlikely` (checked by the server beyond this schema).",
    )
    risk: BreachRisk
    risk_assessment: str = Field(min_length=1, max_length=4000, pattern=HAS_TEXT)


class BreachPatch(_Strict):
    """Changes to a breach: its assessment, when the regulator and the people were told, closing."""

    description: str | None = Field(default=None, min_length=1, max_length=4000, pattern=HAS_TEXT)
    data_categories: list[DataCategory] | None = Field(default=None, min_length=1, max_length=20)
    subjects_affected: int | None = Field(default=None, ge=0, le=10_000_000, strict=True)
    vulnerable_subjects: list[VulnerableGroup] | None = Field(default=None, max_length=10)
    risk: BreachRisk | None = None
    risk_assessment: str | None = Field(
        default=None, min_length=1, max_length=4000, pattern=HAS_TEXT
    )
    regulator_notified_at: IsoDateTime | None = Field(
        default=None,
        description="Checked by the server beyond this schema: not in the future, not before "
        "the detection.",
    )
    subjects_notified_at: IsoDateTime | None = Field(
        default=None,
        description="Checked by the server beyond this schema: not in the future, not before "
        "the detection.",
    )
    closed: bool | None = Field(
        default=None,
        description="Close the breach: the regulator must have been told unless the risk is "
        "`unlikely`, and the people too when it is `high` (checked by the server beyond this "
        "schema).",
    )


class BreachOut(BaseModel):
    id: uuid.UUID
    detected_at: datetime
    notify_due_at: datetime = Field(description="72 hours after the detection (s.37(4)).")
    notification: NotificationState
    seconds_to_due: int = Field(description="Until the notification is due; negative when past.")
    description: str
    data_categories: list[DataCategory]
    subjects_affected: int | None
    vulnerable_subjects: list[VulnerableGroup]
    risk: BreachRisk
    risk_assessment: str
    regulator_notified_at: datetime | None
    subjects_notified_at: datetime | None
    closed_at: datetime | None
    recorded_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int


class BreachList(BaseModel):
    items: list[BreachOut]
    next_cursor: str | None = None


class CaseReadOut(BaseModel):
    """One read of a case, from the access log."""

    reader_id: uuid.UUID
    reader_name: str | None = Field(description="None when the account no longer exists.")
    reader_role: Role | None
    what: CaseReadKind
    at: datetime


class CaseReadList(BaseModel):
    items: list[CaseReadOut]
    next_cursor: str | None = None
