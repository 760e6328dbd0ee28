"""Consent as a record (PDPA s.19): what a client consented to share, with whom, until when,
who recorded it and, for a minor, the guardian who gave it; and its withdrawal.

A consent names the field groups it allows to share with agencies and, optionally, the
organizations it allows them for (none named: any agency). Withdrawing takes groups away for
good (a new consent may give them again); `withdrawn_groups` accumulates, and a consent whose
every group is withdrawn no longer counts. A case's consents are read through
`ix_case_consents_case_id_recorded_at`.

A restriction or objection of a case (s.32, s.34) lives on the case row (`restricted_at`,
`restriction_basis`, `restriction_reason`, `restricted_by_id`); its API schemas are here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import HAS_TEXT, EnumText, UTCDateTime, new_id, no_nul_characters
from models.case import IsoDateTime, RestrictionOut
from models.enums import FieldGroup

MINOR_AGE = 20  # Civil and Commercial Code s.19: sui juris at twenty


class ConsentPurpose(StrEnum):
    """What a consent is for."""

    referral = "referral"  # sharing field groups with agencies a case is referred to


class ConsentState(StrEnum):
    """Where a consent stands now."""

    in_force = "in_force"
    partly_withdrawn = "partly_withdrawn"
    withdrawn = "withdrawn"
    expired = "expired"


class RestrictionBasis(StrEnum):
    """Why a case is restricted: the client asked to restrict its use (s.34) or objected to
    its processing (s.32)."""

    restriction = "restriction"
    objection = "objection"


class CaseConsent(SQLModel, table=True):
    """One consent of a client, as recorded, and what of it was withdrawn since."""

    __tablename__ = "case_consents"
    __table_args__ = (
        sa.Index("ix_case_consents_case_id_recorded_at", "case_id", "recorded_at", "id"),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    case_id: uuid.UUID = SQLField(foreign_key="cases.id")
    purpose: ConsentPurpose = SQLField(sa_type=EnumText(ConsentPurpose, 16))
    groups: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    organization_ids: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    expires_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    guardian_name: str | None = SQLField(default=None, max_length=200)
    guardian_relationship: str | None = SQLField(default=None, max_length=100)
    recorded_by_id: uuid.UUID = SQLField(foreign_key="users.id")
    recorded_at: datetime = SQLField(sa_type=UTCDateTime)
    withdrawn_groups: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    withdrawn_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    withdrawn_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    withdrawal_reason: str | None = SQLField(default=None, sa_type=sa.Text)


# --------------------------------------------------------------------------- API schemas


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _no_nul = field_validator("*")(no_nul_characters)


class ConsentIn(_Strict):
    """A consent as the client (or their guardian) gave it."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "purpose": "referral",
                    "groups": ["contact", "summary"],
                    "expires_at": "2027-06-30T17:00:00Z",
                }
            ]
        },
    )

    purpose: ConsentPurpose = ConsentPurpose.referral
    groups: list[FieldGroup] = Field(
        min_length=1,
        max_length=len(FieldGroup),
        description="The field groups the client allows to share with agencies.",
    )
    organization_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="The agencies (organizations) it allows them for; none: any agency. "
        "Checked by the server beyond this schema: each must exist.",
    )
    expires_at: IsoDateTime | None = Field(
        default=None,
        description="When the consent ends; none: until withdrawn. Checked by the server "
        "beyond this schema: in the future.",
    )
    guardian_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=HAS_TEXT,
        description="Who consented for a minor (under 20). Checked by the server beyond this "
        "schema: required when the client is a minor.",
    )
    guardian_relationship: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=HAS_TEXT,
        description="The guardian's relationship to the client; required with a guardian "
        "(checked by the server).",
    )


class ConsentWithdrawalIn(_Strict):
    """What the client withdraws of a consent."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"groups": ["contact"], "reason": "ไม่ประสงค์ให้ติดต่อ"}]},
    )

    groups: list[FieldGroup] | None = Field(
        default=None,
        min_length=1,
        max_length=len(FieldGroup),
        description="The groups withdrawn; left out, every group of the consent. Checked by "
        "the server beyond this schema: groups the consent gives and not yet withdrawn.",
    )
    reason: str | None = Field(default=None, min_length=1, max_length=2000, pattern=HAS_TEXT)


class ConsentOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    purpose: ConsentPurpose
    state: ConsentState
    groups: list[FieldGroup] = Field(description="Every group the consent gave.")
    groups_in_force: list[FieldGroup] = Field(description="The groups it allows now.")
    withdrawn_groups: list[FieldGroup]
    organization_ids: list[uuid.UUID] = Field(description="None: any agency.")
    expires_at: datetime | None
    guardian_name: str | None
    guardian_relationship: str | None
    recorded_by: uuid.UUID
    recorded_by_name: str | None
    recorded_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    notified_referrals: list[uuid.UUID] | None = Field(
        default=None,
        description="On a withdrawal: the open referrals whose agencies were told.",
    )


class ConsentList(BaseModel):
    items: list[ConsentOut]


class RestrictionIn(_Strict):
    """A restriction of, or an objection to, the use of a case's data."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"basis": "objection", "reason": "ผู้รับบริการคัดค้านการประมวลผลข้อมูล"}]
        },
    )

    basis: RestrictionBasis
    reason: str = Field(min_length=1, max_length=2000, pattern=HAS_TEXT)


class CaseRestriction(BaseModel):
    case_id: uuid.UUID
    restriction: RestrictionOut | None = Field(description="None once lifted.")
