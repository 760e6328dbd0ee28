"""Routing to people: helper profiles and their service areas, offers of a case to a helper,
each case's routing state, and the stored routing decisions (people now, agencies later), with
their API schemas.

A helper's service areas are rows of their own (`helper_areas`), indexed by province, so the
suggestions for a case read only the helpers of the case's province. Only one offer of a case
is pending at a time (a partial unique index), so two staff offering the same case at the same
moment cannot both succeed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import HAS_TEXT, EnumText, NotNull, UTCDateTime, new_id, no_nul_characters, utcnow
from models.case import IsoDateTime
from models.enums import (
    Category,
    DecisionKind,
    IneligibleReason,
    OfferStatus,
    Role,
)
from models.hsds import AgencySuggestions

MAX_SKILLS = 19
MAX_LANGUAGES = 10
MAX_AREAS = 50
AREA_CODE = r"^(?:[0-9]{2}|[0-9]{4}|[0-9]{6})$"
"""A service area: a 2-digit province, a 4-digit district or a 6-digit subdistrict code."""


# --------------------------------------------------------------------------- tables


class HelperProfile(SQLModel, table=True):
    """What routing knows about a volunteer or caseworker: what they can do, where, how much,
    and whether they can take a case now."""

    __tablename__ = "helper_profiles"
    __table_args__ = (
        # The supervisors' list of social-development volunteer cards about to expire.
        sa.Index("ix_helper_profiles_card_expires_on", "card_expires_on", "user_id"),
        # The supervisors' workload queue, most loaded first, read a page at a time (backwards).
        sa.Index("ix_helper_profiles_load_ratio_user_id", "load_ratio", "user_id"),
    )

    user_id: uuid.UUID = SQLField(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    skills: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    languages: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    capacity: int = SQLField(default=5, description="Most open cases the helper leads at once.")
    available: bool = SQLField(default=True)
    leave_until: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    weekly_hours: int | None = None
    card_number: str | None = SQLField(default=None, max_length=32)
    card_province_code: str | None = SQLField(default=None, max_length=2)
    card_expires_on: date | None = None
    last_assigned_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    open_cases_led: int = SQLField(
        default=0, description="Open cases the helper leads (kept by service.routing.load)."
    )
    pending_offers: int = SQLField(
        default=0, description="Offers waiting for the helper's answer (kept likewise)."
    )
    load_ratio: float = SQLField(
        default=0.0, description="(open_cases_led + pending_offers) / capacity, 0 counting as 1."
    )
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class HelperArea(SQLModel, table=True):
    """One service area of a helper: a province, district or subdistrict code."""

    __tablename__ = "helper_areas"
    __table_args__ = (
        sa.Index("ix_helper_areas_province_code_user_id", "province_code", "user_id"),
    )

    user_id: uuid.UUID = SQLField(
        foreign_key="helper_profiles.user_id", primary_key=True, ondelete="CASCADE"
    )
    code: str = SQLField(max_length=6, primary_key=True)
    province_code: str = SQLField(max_length=2, description="The code's first two digits.")


class HelperStamp(SQLModel, table=True):
    """One row: a random stamp given anew by every transaction that changes what ranking reads
    of a helper (their account, profile, service areas or stored load;
    `service.routing.helper_pool`), so a process keeping the helpers knows when to read them
    again."""

    __tablename__ = "helper_stamps"

    id: int = SQLField(default=1, primary_key=True)
    stamp: str = SQLField(max_length=32)


class Offer(SQLModel, table=True):
    """A case offered to one helper until they accept, decline, or it expires."""

    __tablename__ = "offers"
    __table_args__ = (
        sa.Index(
            "uq_offers_pending_case_id",
            "case_id",
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
        sa.Index(
            "ix_offers_pending_expires_at",
            "expires_at",
            "id",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_offers_user_id_created_at", "user_id", "created_at", "id"),
        sa.Index("ix_offers_case_id_user_id", "case_id", "user_id"),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    case_id: uuid.UUID = SQLField(foreign_key="cases.id")
    user_id: uuid.UUID = SQLField(foreign_key="users.id", description="Offered to.")
    status: OfferStatus = SQLField(default=OfferStatus.pending, sa_type=EnumText(OfferStatus, 12))
    offered_by_id: uuid.UUID | None = SQLField(
        default=None, foreign_key="users.id", description="None when routing offered it (auto)."
    )
    decision_id: uuid.UUID | None = SQLField(default=None, foreign_key="routing_decisions.id")
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    expires_at: datetime = SQLField(sa_type=UTCDateTime)
    answered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    decline_reason: str | None = SQLField(default=None, max_length=500)


class CaseRouting(SQLModel, table=True):
    """A case's routing state: failed offers so far, whether it waits for a caseworker to route
    it, and when it was escalated to supervisors."""

    __tablename__ = "case_routing"
    __table_args__ = (
        sa.Index(
            "ix_case_routing_needs_routing_updated_at",
            "updated_at",
            "case_id",
            postgresql_where=sa.text("needs_routing"),
            sqlite_where=sa.text("needs_routing"),
        ),
    )

    case_id: uuid.UUID = SQLField(foreign_key="cases.id", primary_key=True)
    failed_offers: int = 0
    needs_routing: bool = False
    escalated_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    escalation_ended_at: datetime | None = SQLField(
        default=None,
        sa_type=UTCDateTime,
        description="When the case closed after its escalation; cleared when it reopens.",
    )
    updated_at: datetime = SQLField(sa_type=UTCDateTime)


class RoutingDecision(SQLModel, table=True):
    """One routing choice as it was made: the candidates considered with their scores and
    reasons, the one chosen, and who chose (a user, or None for automatic routing)."""

    __tablename__ = "routing_decisions"
    __table_args__ = (
        sa.Index("ix_routing_decisions_case_id_created_at", "case_id", "created_at", "id"),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    case_id: uuid.UUID = SQLField(foreign_key="cases.id")
    kind: DecisionKind = SQLField(sa_type=EnumText(DecisionKind, 12))
    candidates: list[dict[str, Any]] = SQLField(default_factory=list, sa_type=sa.JSON)
    chosen_id: uuid.UUID | None = SQLField(
        default=None, description="The person or agency chosen (no foreign key: either kind)."
    )
    chosen_by_id: uuid.UUID | None = SQLField(
        default=None, foreign_key="users.id", description="None when routing chose (auto)."
    )
    created_at: datetime = SQLField(sa_type=UTCDateTime)


# --------------------------------------------------------------------------- input schemas


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _no_nul = field_validator("*")(no_nul_characters)


Language = Annotated[str, Field(min_length=1, max_length=32, pattern=HAS_TEXT)]
AreaCode = Annotated[str, Field(pattern=AREA_CODE)]


class OwnProfilePatch(_Strict):
    """What helpers change about themselves: whether they can take cases now, their leave,
    hours and languages. Skills, areas, capacity and the volunteer card are set by supervisors."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    available: NotNull[StrictBool] = None
    leave_until: IsoDateTime | None = Field(
        default=None, description="On leave until then (with offset); null ends the leave."
    )
    weekly_hours: int | None = Field(default=None, ge=0, le=168, strict=True)
    languages: NotNull[list[Language]] = Field(default=None, max_length=MAX_LANGUAGES)

    @model_validator(mode="after")
    def _something(self) -> OwnProfilePatch:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class HelperCard(_Strict):
    """The social-development volunteer (อพม.) card."""

    number: str = Field(min_length=1, max_length=32, pattern=HAS_TEXT)
    province_code: str = Field(pattern=r"^[0-9]{2}$", description="Issuing province.")
    expires_on: date


class HelperProfilePatch(OwnProfilePatch):
    """What supervisors change about a helper: everything the helper may, and their skills,
    service areas, capacity and volunteer card (null removes the card)."""

    model_config = ConfigDict(
        json_schema_extra={
            "minProperties": 1,
            "examples": [
                {
                    "skills": ["older_person", "disability"],
                    "areas": ["10", "1001", "100101"],
                    "capacity": 4,
                    "card": {
                        "number": "10-000123",
                        "province_code": "10",
                        "expires_on": "2027-09-30",
                    },
                }
            ],
        }
    )

    skills: NotNull[list[Category]] = Field(default=None, max_length=MAX_SKILLS)
    areas: NotNull[list[AreaCode]] = Field(
        default=None,
        max_length=MAX_AREAS,
        description="Province (2-digit), district (4) or subdistrict (6) codes. Checked by the "
        "server beyond this schema: official codes.",
    )
    capacity: NotNull[int] = Field(default=None, ge=0, le=200, strict=True)
    card: HelperCard | None = None


class OfferIn(_Strict):
    """Offer the case to one person, or to the best-ranked suggestion."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"user_id": "2b0c6f9e-4a4f-4a55-9d3e-0a1b2c3d4e5f"}, {"best": True}],
            # Exactly one target: a person, or the best suggestion.
            "oneOf": [
                {
                    "required": ["user_id"],
                    "properties": {"user_id": {"type": "string"}, "best": {"const": False}},
                },
                {
                    "required": ["best"],
                    "properties": {"best": {"const": True}, "user_id": {"type": "null"}},
                },
            ],
        }
    )

    user_id: uuid.UUID | None = Field(default=None, description="The person to offer it to.")
    best: StrictBool = Field(default=False, description="Offer it to the best suggestion.")

    @model_validator(mode="after")
    def _one_target(self) -> OfferIn:
        if (self.user_id is None) == (not self.best):
            raise ValueError("give either user_id or best: true")
        return self


class DeclineIn(_Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Out of town until Friday"}]}
    )

    reason: str = Field(min_length=1, max_length=500, pattern=HAS_TEXT)


# --------------------------------------------------------------------------- read schemas


class HelperCardOut(BaseModel):
    number: str
    province_code: str
    expires_on: date
    expired: bool
    expiring_soon: bool = Field(description="Expires within 30 days.")


class HelperProfileOut(BaseModel):
    user_id: uuid.UUID
    display_name: str
    role: Role
    is_active: bool
    skills: list[Category]
    languages: list[str]
    areas: list[str]
    capacity: int
    open_cases: int = Field(description="Open cases the helper leads now.")
    available: bool
    leave_until: datetime | None
    on_leave: bool
    weekly_hours: int | None
    card: HelperCardOut | None
    last_assigned_at: datetime | None
    updated_at: datetime | None


class HelperList(BaseModel):
    items: list[HelperProfileOut]
    next_cursor: str | None = None


ScoreReasonName = Literal["skill", "language", "area", "load", "last_assignment"]


class ScoreReason(BaseModel):
    """One part of a candidate's score."""

    reason: ScoreReasonName
    points: float
    detail: str = Field(description="What matched, e.g. `district` or `2/5`.")


class PersonCandidate(BaseModel):
    user_id: uuid.UUID
    display_name: str
    role: Role
    score: float
    reasons: list[ScoreReason]


class PeopleSuggestions(BaseModel):
    items: list[PersonCandidate]
    total: int = Field(description="Eligible candidates ranked (items shows the first ones).")
    filtered: dict[IneligibleReason, int] = Field(
        description="Helpers left out before ranking, per reason."
    )


class Suggestions(BaseModel):
    people: PeopleSuggestions
    agencies: AgencySuggestions


class OfferOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    user_id: uuid.UUID
    user_name: str | None
    status: OfferStatus = Field(description="A pending offer past its expiry reads as expired.")
    offered_by: uuid.UUID | None = Field(description="None when routing offered it.")
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    decline_reason: str | None


class OfferList(BaseModel):
    items: list[OfferOut]
    next_cursor: str | None = None


class DecisionOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: DecisionKind
    candidates: list[dict[str, Any]]
    chosen_id: uuid.UUID | None
    chosen_by: uuid.UUID | Literal["auto"]
    chosen_by_name: str | None
    created_at: datetime


class DecisionList(BaseModel):
    items: list[DecisionOut]
    next_cursor: str | None = None
