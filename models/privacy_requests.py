"""Data-subject requests (PDPA s.30-36): who asked for what about whom, the legal clock, the
outcome, and the cases the person was found in."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import HAS_TEXT, EnumText, UTCDateTime, new_id, no_nul_characters, utcnow
from models.case import IsoDateTime
from models.enums import IdType
from models.events import KEYED_VALUE_LENGTH


class RequestKind(StrEnum):
    """What the person asks for (s.30 access, s.31 portability, s.35 rectification, s.32
    objection, s.34 restriction, s.33 erasure)."""

    access = "access"
    portability = "portability"
    rectification = "rectification"
    objection = "objection"
    restriction = "restriction"
    erasure = "erasure"


class RequestOutcome(StrEnum):
    """Where a request stands: open until it is completed or refused."""

    pending = "pending"
    completed = "completed"
    refused = "refused"


class Requester(StrEnum):
    """Who asked: the person the data is about, or someone entitled to act for them."""

    subject = "subject"
    guardian = "guardian"
    representative = "representative"


class RequestState(StrEnum):
    """The legal clock of an open request."""

    on_time = "on_time"
    due_soon = "due_soon"
    overdue = "overdue"
    answered = "answered"


# The legal time to answer, in days from receipt.
ANSWER_DAYS: dict[RequestKind, int] = {
    RequestKind.access: 30,
    RequestKind.portability: 30,
    RequestKind.rectification: 30,
    RequestKind.objection: 30,
    RequestKind.restriction: 30,
    RequestKind.erasure: 90,
}
DUE_SOON_DAYS = 7


class PrivacyRequest(SQLModel, table=True):
    """One data-subject request. The identifiers the person gave are cleared when the cases
    they named are anonymised; the kind, the dates and the outcome stay for the s.39 register."""

    __tablename__ = "privacy_requests"
    __table_args__ = (
        sa.Index("ix_privacy_requests_received_at", "received_at", "id"),
        # Finding a person's requests by id number, through its keyed hash.
        sa.Index("ix_privacy_requests_subject_id_hash", "subject_id_hash"),
        # The open requests, soonest due first: what the supervisors' clock reads.
        sa.Index(
            "ix_privacy_requests_open_due",
            "due_at",
            "id",
            postgresql_where=sa.text("outcome = 'pending'"),
            sqlite_where=sa.text("outcome = 'pending'"),
        ),
        sa.Index(
            "ix_privacy_requests_refused",
            "answered_at",
            "id",
            postgresql_where=sa.text("outcome = 'refused'"),
            sqlite_where=sa.text("outcome = 'refused'"),
        ),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    kind: RequestKind = SQLField(sa_type=EnumText(RequestKind, 16))
    requester: Requester = SQLField(sa_type=EnumText(Requester, 16))
    requester_name: str | None = SQLField(default=None, max_length=200)
    subject_id_type: IdType | None = SQLField(default=None, sa_type=EnumText(IdType, 16))
    subject_id_hash: str | None = SQLField(default=None, max_length=KEYED_VALUE_LENGTH)
    # Sealed with the data key, bound to the request's id: what lets a key rotation re-hash
    # `subject_id_hash` (a hash alone cannot be recomputed under a new key).
    subject_id_number_enc: bytes | None = SQLField(default=None, sa_type=sa.LargeBinary)
    subject_phone: str | None = SQLField(default=None, max_length=20)
    subject_first_name: str | None = SQLField(default=None, max_length=100)
    subject_last_name: str | None = SQLField(default=None, max_length=100)
    subject_birth_date: date | None = None
    details: str | None = SQLField(default=None, sa_type=sa.Text)
    received_at: datetime = SQLField(sa_type=UTCDateTime)
    due_at: datetime = SQLField(sa_type=UTCDateTime)
    outcome: RequestOutcome = SQLField(
        default=RequestOutcome.pending, sa_type=EnumText(RequestOutcome, 16)
    )
    refusal_reason: str | None = SQLField(default=None, sa_type=sa.Text)
    answered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    answered_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    recorded_by_id: uuid.UUID = SQLField(foreign_key="users.id")
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = SQLField(default=1, description="Bumped on every change.")


class PrivacyRequestCase(SQLModel, table=True):
    """A case the person of a request was found in when the request was recorded."""

    __tablename__ = "privacy_request_cases"

    request_id: uuid.UUID = SQLField(
        foreign_key="privacy_requests.id", primary_key=True, ondelete="CASCADE"
    )
    case_id: uuid.UUID = SQLField(foreign_key="cases.id", primary_key=True, index=True)


# --------------------------------------------------------------------------- API schemas


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _no_nul = field_validator("*")(no_nul_characters)


class SubjectIn(_Strict):
    """How the person was identified: an id number, a phone number, or a name with a birth
    date (at least one of the three)."""

    id_type: IdType | None = Field(
        default=None, description="The type of `id_number`; needed with it."
    )
    id_number: str | None = Field(
        default=None,
        max_length=32,
        description="Looked up through its keyed hash; kept encrypted with the request (as "
        "on a case) until the cases it found are anonymised. Checked by the server beyond "
        "this schema as at intake (`thai_id`, `thai_id_check_digit`, `passport`).",
    )
    phone: str | None = Field(
        default=None, max_length=32, description="Checked by the server beyond this schema."
    )
    first_name: str | None = Field(default=None, max_length=100, pattern=HAS_TEXT)
    last_name: str | None = Field(default=None, max_length=100, pattern=HAS_TEXT)
    birth_date: date | None = Field(
        default=None, description="Gregorian; with `first_name`, it identifies the person."
    )


class PrivacyRequestIn(_Strict):
    """A data-subject request as it is received."""

    kind: RequestKind
    requester: Requester = Requester.subject
    requester_name: str | None = Field(
        default=None,
        max_length=200,
        pattern=HAS_TEXT,
        description="Who asked, when not the person themselves.",
    )
    subject: SubjectIn
    details: str | None = Field(
        default=None,
        max_length=4000,
        pattern=HAS_TEXT,
        description="What the person asks to be corrected, objected to or restricted.",
    )
    received_at: IsoDateTime | None = Field(
        default=None,
        description="When the request reached the center (the clock starts here); now when "
        "left out. Checked by the server beyond this schema: not in the future.",
    )


class RefusalIn(_Strict):
    """Why a request is refused (kept in the s.39 register)."""

    reason: str = Field(min_length=1, max_length=2000, pattern=HAS_TEXT)


class MatchedCase(BaseModel):
    id: uuid.UUID
    reference: str
    status: str


class PrivacyRequestOut(BaseModel):
    id: uuid.UUID
    kind: RequestKind
    requester: Requester
    requester_name: str | None
    identified_by: list[str] = Field(
        description="Which identifiers found the person: `id_number`, `phone`, "
        "`name_and_birth_date` (empty once the cases are anonymised)."
    )
    details: str | None
    received_at: datetime
    due_at: datetime = Field(description="30 days after receipt, 90 for erasure.")
    state: RequestState
    seconds_to_due: int = Field(description="Until the answer is due; negative when past.")
    outcome: RequestOutcome
    refusal_reason: str | None
    answered_at: datetime | None
    answered_by: uuid.UUID | None
    recorded_by: uuid.UUID
    cases: list[MatchedCase]
    created_at: datetime
    updated_at: datetime
    version: int


class PrivacyRequestList(BaseModel):
    items: list[PrivacyRequestOut]
    next_cursor: str | None = None


class SubjectAccessExport(BaseModel):
    """Everything held about the person of a request, case by case (s.30-31)."""

    request_id: uuid.UUID
    generated_at: datetime
    cases: list[dict[str, Any]]
