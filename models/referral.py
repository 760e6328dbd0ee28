"""Referrals of a case to an agency service, and their API schemas.

A referral names the service and, copied from it, the service's organization: agency staff
see the referrals of their own organization, through `ix_referrals_organization_id_created_at`.
Only one referral of a case to a service is open (`requested` or `accepted`) at a time: a
partial unique index, so two caseworkers referring the same case to the same service at the
same moment cannot both succeed. The worker finds the unanswered referrals past their
deadline through a partial index of the ones not yet flagged.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import HAS_TEXT, EnumText, UTCDateTime, new_id, no_nul_characters
from models.enums import (
    Category,
    FieldGroup,
    IdType,
    ReferralStatus,
    SharingBasis,
    TargetGroup,
    Urgency,
)

OPEN_WHERE = "status IN ('requested', 'accepted')"
UNFLAGGED_WHERE = "status = 'requested' AND overdue_at IS NULL"


class Referral(SQLModel, table=True):
    """A case referred to one agency service, what it shares, and where it stands."""

    __tablename__ = "referrals"
    __table_args__ = (
        sa.Index(
            "uq_referrals_open_case_id_service_id",
            "case_id",
            "service_id",
            unique=True,
            postgresql_where=sa.text(OPEN_WHERE),
            sqlite_where=sa.text(OPEN_WHERE),
        ),
        sa.Index("ix_referrals_case_id_created_at", "case_id", "created_at", "id"),
        sa.Index("ix_referrals_created_at", "created_at", "id"),
        sa.Index("ix_referrals_organization_id_created_at", "organization_id", "created_at", "id"),
        sa.Index(
            "ix_referrals_unflagged_response_due_at",
            "response_due_at",
            "id",
            postgresql_where=sa.text(UNFLAGGED_WHERE),
            sqlite_where=sa.text(UNFLAGGED_WHERE),
        ),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    case_id: uuid.UUID = SQLField(foreign_key="cases.id")
    service_id: uuid.UUID = SQLField(foreign_key="services.id")
    organization_id: uuid.UUID = SQLField(foreign_key="organizations.id")
    status: ReferralStatus = SQLField(sa_type=EnumText(ReferralStatus, 16))
    groups: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    basis: SharingBasis = SQLField(sa_type=EnumText(SharingBasis, 20))
    reason: str = SQLField(sa_type=sa.Text)
    override_reason: str | None = SQLField(default=None, sa_type=sa.Text)
    requested_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    decision_id: uuid.UUID | None = SQLField(default=None, foreign_key="routing_decisions.id")
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    response_due_at: datetime = SQLField(sa_type=UTCDateTime)
    overdue_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    next_service_id: uuid.UUID | None = SQLField(default=None, foreign_key="services.id")
    answered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    answered_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    answer_reason: str | None = SQLField(default=None, sa_type=sa.Text)
    closed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(sa_type=UTCDateTime)


# --------------------------------------------------------------------------- API schemas


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    _no_nul = field_validator("*")(no_nul_characters)


class ReferralIn(_Strict):
    """A referral of a case: to a service (or the best suggested one), what it shares, why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "service_id": "2eabc0b2-3ee6-5ec5-aac3-7f5e6ae66e9d",
                    "groups": ["contact", "summary"],
                    "reason": "ต้องการที่พักพิงชั่วคราวสำหรับเด็กและแม่",
                },
                {"groups": ["contact", "location", "summary"], "reason": "ต้องการความช่วยเหลือ"},
            ]
        },
    )

    service_id: uuid.UUID | None = Field(
        default=None,
        description="The agency service; left out, the best suggested service is chosen.",
    )
    groups: list[FieldGroup] = Field(
        min_length=1,
        max_length=len(FieldGroup),
        description="The field groups the agency may read; never more than the basis allows.",
    )
    reason: str = Field(min_length=1, max_length=2000, pattern=HAS_TEXT)
    override_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        pattern=HAS_TEXT,
        description="Supervisors only: share although consent and legal basis do not allow it.",
    )


class ReferralAnswerIn(_Strict):
    """An answer to a referral; declining, failing and cancelling need a reason (checked by the
    server: the body is optional for accepting and completing)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "เตียงเต็มในสัปดาห์นี้"}]}
    )

    reason: str | None = Field(default=None, min_length=1, max_length=2000, pattern=HAS_TEXT)


class ReferralOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    service_id: uuid.UUID
    service_name: str
    organization_id: uuid.UUID
    organization_name: str
    status: ReferralStatus
    groups: list[FieldGroup]
    basis: SharingBasis
    reason: str
    override_reason: str | None
    requested_by: uuid.UUID | None = Field(description="None when routing referred on its own.")
    requested_by_name: str | None
    decision_id: uuid.UUID | None
    created_at: datetime
    response_due_at: datetime
    overdue: bool = Field(description="Not answered by its response deadline.")
    next_service_id: uuid.UUID | None = Field(
        description="Flagged overdue: the next suitable service, suggested to the caseworker."
    )
    answered_at: datetime | None
    answer_reason: str | None
    closed_at: datetime | None


class ReferralList(BaseModel):
    items: list[ReferralOut]
    next_cursor: str | None


class SharedContact(BaseModel):
    nickname: str | None
    phone: str | None
    languages: list[str]


class SharedIdentity(BaseModel):
    title: str | None
    first_name: str | None
    last_name: str | None
    id_type: IdType
    id_number: str | None = Field(description="Always masked for agencies.")
    birth_date: str | None
    birth_year: int | None
    age: int | None
    gender: str | None
    nationality: str | None


class SharedLocation(BaseModel):
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    postal_code: str | None
    address: str | None
    lat: float | None
    lon: float | None


class SharedSummary(BaseModel):
    summary: str
    categories: list[Category]
    urgency: Urgency
    target_groups: list[TargetGroup]
    disability: bool
    pregnant: bool


class SharedNote(BaseModel):
    body: str
    created_at: datetime


class SharedCase(BaseModel):
    """What a referral shares of its case: only the groups it names; the others are absent."""

    model_config = ConfigDict(json_schema_extra={"additionalProperties": False})

    referral_id: uuid.UUID
    case_reference: str
    groups: list[FieldGroup]
    contact: SharedContact | None = None
    identity: SharedIdentity | None = None
    location: SharedLocation | None = None
    summary: SharedSummary | None = None
    notes: list[SharedNote] | None = None

    @model_serializer(mode="wrap")
    def _without_unshared(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A group the referral does not share is absent, not null.
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if k not in GROUP_KEYS or v is not None}


GROUP_KEYS = frozenset(group.value for group in FieldGroup)
