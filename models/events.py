"""Case events: the append-only, hash-chained history of every case."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, new_id
from models.enums import CaseEventType

# A key label (`k` and an id of up to 16 characters and `:`) and a hex SHA-256.
KEYED_VALUE_LENGTH = 96


class CaseEvent(SQLModel, table=True):
    """One change of a case. Never updated or deleted by the application.

    Reads are recorded in the access log (`models.access_log`) instead, since appending to
    this chain locks the case; `viewed` events written before stay valid history.

    `hash` is an HMAC over the previous event's hash and this event's content, so an edited,
    deleted or reordered event breaks the chain; the case row anchors the chain's end. Both
    hashes name their key (`k<id>:<hex>`).
    Events hold no personal data: changed personal fields are named, their values withheld.
    """

    __tablename__ = "case_events"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="cases.id")
    seq: int
    type: CaseEventType = Field(sa_type=EnumText(CaseEventType, 32))
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    prev_hash: str | None = Field(default=None, max_length=KEYED_VALUE_LENGTH)
    hash: str = Field(max_length=KEYED_VALUE_LENGTH)
