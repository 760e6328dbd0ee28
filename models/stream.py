"""Stream messages: the short, ordered log behind the live updates (`GET /api/v1/stream`).

A row is written by a database trigger on `case_events` for each event of an announced type
(migration `0017_stream`), never by the application, so the services that change cases send
no statement more. Its `id` orders the stream and is the `Last-Event-ID` a client resumes
from. The log keeps one hour (`service.stream.log.RETENTION`); `case_events` stays the
history. A message holds ids and the case's reference and urgency, never personal data;
`reported_by_id`, `lead_id` and `offered_to_id` are kept to decide who may receive it, and
`restricted` says whether the case was restricted (PDPA s.32, s.34) when the event was recorded
(migration `0025_stream_restricted`): such a message reaches supervisors only.

A breach message (`breach_due_soon`, `breach_overdue`) is written by the worker
(`service.privacy.breach_alerts`); it names the breach and no case.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import EnumText, UTCDateTime
from models.enums import BreachNotice, CaseEventType, Urgency


class StreamMessage(SQLModel, table=True):
    """One announced case event, in the order the database recorded it."""

    __tablename__ = "stream_messages"
    __table_args__ = (
        sa.Index("ix_stream_messages_recorded_at", "recorded_at"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = SQLField(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(),
            primary_key=True,
        ),
    )
    event_id: uuid.UUID
    # A case event's type, or a breach notice.
    type: str = SQLField(max_length=32)
    case_id: uuid.UUID | None = None
    case_reference: str | None = SQLField(default=None, max_length=20)
    urgency: Urgency | None = SQLField(default=None, sa_type=EnumText(Urgency, 12))
    occurred_at: datetime = SQLField(sa_type=UTCDateTime)
    recorded_at: datetime = SQLField(sa_type=UTCDateTime)
    reported_by_id: uuid.UUID | None = None
    lead_id: uuid.UUID | None = None
    offered_to_id: uuid.UUID | None = None
    offer_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    breach_id: uuid.UUID | None = None
    restricted: bool = SQLField(default=False, sa_column_kwargs={"server_default": sa.false()})


class StreamMessageOut(BaseModel):
    """The `data` of a case message on the stream: what happened to which case, no content."""

    id: int = Field(description="Order of the message; the `id:` line a client resumes from.")
    type: CaseEventType = Field(description="What happened (the case event's type).")
    case_id: uuid.UUID
    case_reference: str
    urgency: Urgency = Field(description="The case's urgency when the event was recorded.")
    occurred_at: datetime
    offer_id: uuid.UUID | None = Field(default=None, description="For offer events.")
    user_id: uuid.UUID | None = Field(
        default=None, description="For offer events: the helper the offer was made to."
    )
    referral_id: uuid.UUID | None = Field(default=None, description="For referral events.")
    organization_id: uuid.UUID | None = Field(
        default=None, description="For referral events: the agency referred to."
    )


class BreachMessageOut(BaseModel):
    """The `data` of a breach message (supervisors and admins): which breach's notification
    to the regulator is due within 24 hours, or overdue; the breach queue tells the rest."""

    id: int = Field(description="Order of the message; the `id:` line a client resumes from.")
    type: BreachNotice
    breach_id: uuid.UUID
    occurred_at: datetime
