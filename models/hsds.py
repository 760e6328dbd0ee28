"""The directory's JSON: HSDS 3.0 objects (3.1 for `capacities`) with their published field
names, each nested under its parent, and the center's own fields under `x_onestop`; the same
shapes serve `onestop import-directory` / `export-directory` and the directory routes. Also the
answer of agency suggestions for a case.

Unknown fields are refused, so an import never silently drops data.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from models.base import HAS_TEXT, no_nul_characters
from models.case import IsoDateTime
from models.enums import (
    AgencyFilterReason,
    AgencyReason,
    Category,
    ServiceStatus,
    TargetGroup,
    Urgency,
)

AREA_CODE_PATTERN = r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[A-Z]{2})$"
LANGUAGE_CODE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
MAX_ITEMS = 200

Text300 = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=HAS_TEXT)]
Email = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
Url = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://\S+$")]


class _Hsds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    _no_nul = field_validator("*")(no_nul_characters)


class HsdsPhone(_Hsds):
    id: uuid.UUID
    number: str = Field(min_length=1, max_length=40, pattern=r"^[0-9+() -]+$")
    extension: str | None = Field(default=None, max_length=20)
    type: str | None = Field(default=None, max_length=16, description="e.g. text, voice, fax")
    description: str | None = Field(default=None, max_length=500)


class HsdsContact(_Hsds):
    id: uuid.UUID
    name: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    email: Email | None = None
    phones: list[HsdsPhone] = Field(default_factory=list, max_length=MAX_ITEMS)


class HsdsAddress(_Hsds):
    id: uuid.UUID
    attention: str | None = Field(default=None, max_length=300)
    address_1: str = Field(max_length=500)
    address_2: str | None = Field(default=None, max_length=500)
    city: str = Field(max_length=200)
    region: str | None = Field(default=None, max_length=200)
    state_province: str = Field(max_length=200)
    postal_code: str = Field(max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")
    address_type: Literal["physical", "postal", "virtual"]


class HsdsLocation(_Hsds):
    id: uuid.UUID
    location_type: Literal["physical", "postal", "virtual"]
    name: str | None = Field(default=None, max_length=300)
    alternate_name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    transportation: str | None = Field(default=None, max_length=2000)
    latitude: float | None = Field(default=None, ge=-90, le=90, strict=True)
    longitude: float | None = Field(default=None, ge=-180, le=180, strict=True)
    addresses: list[HsdsAddress] = Field(default_factory=list, max_length=MAX_ITEMS)
    phones: list[HsdsPhone] = Field(default_factory=list, max_length=MAX_ITEMS)


class HsdsAreaExtension(_Hsds):
    area_code: str = Field(
        pattern=AREA_CODE_PATTERN,
        description="A Thai province (2 digits), district (4) or subdistrict (6) code, `TH` "
        "for all of Thailand, or another ISO 3166 alpha-2 code for people in that country. "
        "Checked by the server beyond this schema: an official code.",
    )


class HsdsServiceArea(_Hsds):
    id: uuid.UUID
    name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    x_onestop: HsdsAreaExtension


class HsdsLanguage(_Hsds):
    id: uuid.UUID
    name: str | None = Field(default=None, max_length=100)
    code: str = Field(pattern=LANGUAGE_CODE_PATTERN, max_length=16, description="ISO 639.")
    note: str | None = Field(default=None, max_length=500)


class HsdsServiceAtLocation(_Hsds):
    id: uuid.UUID
    location_id: uuid.UUID = Field(
        description="Checked by the server beyond this schema: a location of the organization."
    )
    description: str | None = Field(default=None, max_length=2000)


class HsdsUnit(_Hsds):
    id: uuid.UUID
    name: str = Field(min_length=1, max_length=200, description="e.g. beds, places, cases")
    scheme: str | None = Field(default=None, max_length=200)
    identifier: str | None = Field(default=None, max_length=200)


class HsdsCapacity(_Hsds):
    """HSDS 3.1 `service_capacity`."""

    id: uuid.UUID
    unit: HsdsUnit
    available: int = Field(ge=0, le=1_000_000, strict=True)
    maximum: int | None = Field(default=None, ge=0, le=1_000_000, strict=True)
    description: str | None = Field(default=None, max_length=2000)
    updated: IsoDateTime


class ReferralContact(_Hsds):
    name: str | None = Field(default=None, max_length=200)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=20, pattern=r"^[0-9+() -]+$")


class HsdsServiceExtension(_Hsds):
    """The center's own fields of a service."""

    categories: list[Category] = Field(default_factory=list, max_length=len(Category))
    target_groups: list[TargetGroup] = Field(default_factory=list, max_length=len(TargetGroup))
    accepts_referrals: StrictBool = False
    serves_abroad: StrictBool = Field(
        default=False, description="Helps people abroad in any country (Thais abroad)."
    )
    referral_contact: ReferralContact | None = None
    webhook_url: Url | None = None
    response_deadline_hours: dict[Urgency, Annotated[StrictInt, Field(ge=1, le=2160)]] = Field(
        default_factory=dict,
        description="Per urgency, the hours (around the clock, from sending) within which the "
        "service answers a referral; an urgency left out uses the center's default.",
    )


class HsdsServiceFields(_Hsds):
    """A service's own fields, without its id and children."""

    organization_id: uuid.UUID
    name: Text300
    alternate_name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    url: Url | None = None
    email: Email | None = None
    status: ServiceStatus
    interpretation_services: str | None = Field(default=None, max_length=2000)
    application_process: str | None = Field(default=None, max_length=4000)
    fees_description: str | None = Field(default=None, max_length=2000)
    eligibility_description: str | None = Field(default=None, max_length=4000)
    minimum_age: int | None = Field(default=None, ge=0, le=130, strict=True)
    maximum_age: int | None = Field(default=None, ge=0, le=130, strict=True)
    service_areas: list[HsdsServiceArea] = Field(default_factory=list, max_length=MAX_ITEMS)
    languages: list[HsdsLanguage] = Field(default_factory=list, max_length=MAX_ITEMS)
    contacts: list[HsdsContact] = Field(default_factory=list, max_length=MAX_ITEMS)
    phones: list[HsdsPhone] = Field(default_factory=list, max_length=MAX_ITEMS)
    service_at_locations: list[HsdsServiceAtLocation] = Field(
        default_factory=list, max_length=MAX_ITEMS
    )
    capacities: list[HsdsCapacity] = Field(default_factory=list, max_length=MAX_ITEMS)
    x_onestop: HsdsServiceExtension = Field(default_factory=HsdsServiceExtension)


class HsdsService(HsdsServiceFields):
    id: uuid.UUID


class HsdsOrganizationFields(_Hsds):
    """An organization's own fields, contacts, phones and locations (not its services)."""

    name: Text300
    alternate_name: str | None = Field(default=None, max_length=300)
    description: str = Field(max_length=4000)
    email: Email | None = None
    website: Url | None = None
    legal_status: str | None = Field(default=None, max_length=200)
    contacts: list[HsdsContact] = Field(default_factory=list, max_length=MAX_ITEMS)
    phones: list[HsdsPhone] = Field(default_factory=list, max_length=MAX_ITEMS)
    locations: list[HsdsLocation] = Field(default_factory=list, max_length=MAX_ITEMS)


class HsdsOrganization(HsdsOrganizationFields):
    id: uuid.UUID
    services: list[HsdsService] = Field(default_factory=list, max_length=MAX_ITEMS)


class HsdsDirectory(_Hsds):
    """A whole directory, as `onestop export-directory` writes it."""

    organizations: list[HsdsOrganization] = Field(default_factory=list)


# --------------------------------------------------------------------------- API schemas


class OrganizationOut(HsdsOrganizationFields):
    id: uuid.UUID
    version: int
    updated_at: datetime


class OrganizationList(BaseModel):
    items: list[OrganizationOut]
    next_cursor: str | None = None


class ServiceOut(HsdsServiceFields):
    id: uuid.UUID
    version: int
    updated_at: datetime


class ServiceList(BaseModel):
    items: list[ServiceOut]
    next_cursor: str | None = None


class OrganizationContactPatch(_Hsds):
    """What agency staff may change of their own organization: how to reach it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    email: Email | None = None
    website: Url | None = None
    phones: list[HsdsPhone] | None = Field(
        default=None, max_length=MAX_ITEMS, description="Replaces the organization's phones."
    )
    contacts: list[HsdsContact] | None = Field(
        default=None, max_length=MAX_ITEMS, description="Replaces the organization's contacts."
    )


class CapacityUpdate(_Hsds):
    """A service's room now, in one unit (HSDS 3.1 `service_capacity`)."""

    unit_name: str = Field(
        default="places", min_length=1, max_length=200, description="e.g. beds, places, cases"
    )
    available: int = Field(ge=0, le=1_000_000, strict=True)
    maximum: int | None = Field(default=None, ge=0, le=1_000_000, strict=True)


# --------------------------------------------------------------------------- suggestions


class AgencyReasonOut(BaseModel):
    code: AgencyReason
    points: int


class AgencyCandidate(BaseModel):
    """A service suggested for a case, with its score and the points behind it."""

    service_id: uuid.UUID
    service_name: str
    organization_id: uuid.UUID
    organization_name: str
    score: int
    reasons: list[AgencyReasonOut]
    capacity_available: int | None = Field(
        description="The most room any of the service's published capacities has; null when "
        "it publishes none."
    )
    response_deadline_hours: int | None = Field(
        description="The service's own response deadline for the case's urgency, if it set one."
    )


class AgencySuggestions(BaseModel):
    """Agency services for a case, best first, and how many were left out, by reason."""

    candidates: list[AgencyCandidate]
    filtered: dict[AgencyFilterReason, int]
