"""The access log: who read what of a case, and when (SPEC §8).

Append-only and tamper-evident, and it never locks the case: each row carries its own HMAC
(`service.cases.access_log`) instead of a link to the previous row, so appending needs no
serialisation. For the same reason neither column is a foreign key: PostgreSQL checks a
foreign key with `FOR KEY SHARE` on the referenced row, which waits for anyone holding the case
`FOR UPDATE`. A read record also outlives what it names (an anonymised case, a removed account),
as an audit record should.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, new_id
from models.enums import CaseReadKind
from models.events import KEYED_VALUE_LENGTH


class CaseRead(SQLModel, table=True):
    """One read of a case's content. Never updated or deleted by the application."""

    __tablename__ = "case_reads"
    __table_args__ = (sa.Index("ix_case_reads_case_id_at", "case_id", "at", "id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    case_id: uuid.UUID
    reader_id: uuid.UUID
    what: CaseReadKind = Field(sa_type=EnumText(CaseReadKind, 16))
    at: datetime = Field(sa_type=UTCDateTime)
    hash: str = Field(max_length=KEYED_VALUE_LENGTH)
