"""The agency directory: organizations and their services, shaped on Open Referral HSDS 3.0.

Tables keep HSDS names (`organizations`, `services`, `service_areas`, `languages`, `contacts`,
`phones`, `locations`, `addresses`, `service_at_locations`) and HSDS 3.1's `service_capacities`.
The center's own fields on a service (what it serves, whether and how it takes referrals, its
response deadlines) are plain columns here and the `x_onestop` object in HSDS JSON; a service
area names the area it covers by `area_code` (`x_onestop.area_code` in JSON):

- a Thai province (2 digits), district (4) or subdistrict (6) code, from `geothai`;
- `TH` for the whole of Thailand;
- another ISO 3166 alpha-2 code for people in that country (Thais abroad).

A service that helps people abroad wherever they are sets `serves_abroad` instead of listing
countries. Referrals point at `services.id` and `organizations.id`: a service that is no longer
offered is set `inactive`, never deleted while referenced.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, new_id, utcnow
from models.enums import ServiceStatus

# --------------------------------------------------------------------------- tables


class Organization(SQLModel, table=True):
    """An agency: a provincial office, shelter, hospital unit, local government unit or NGO."""

    __tablename__ = "organizations"
    __table_args__ = (sa.Index("ix_organizations_name_id", "name", "id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=300)
    alternate_name: str | None = Field(default=None, max_length=300)
    description: str = Field(sa_type=sa.Text)
    email: str | None = Field(default=None, max_length=320)
    website: str | None = Field(default=None, max_length=2000)
    legal_status: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1, description="Bumped on every change; the ETag.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Service(SQLModel, table=True):
    """What an organization offers, whom to, where, and how it takes referrals."""

    __tablename__ = "services"
    __table_args__ = (
        sa.Index("ix_services_organization_id_name", "organization_id", "name", "id"),
        sa.Index("ix_services_name_id", "name", "id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="RESTRICT")
    name: str = Field(max_length=300)
    alternate_name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, sa_type=sa.Text)
    url: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=320)
    status: ServiceStatus = Field(sa_type=EnumText(ServiceStatus, 20))
    interpretation_services: str | None = Field(default=None, max_length=2000)
    application_process: str | None = Field(default=None, sa_type=sa.Text)
    fees_description: str | None = Field(default=None, max_length=2000)
    eligibility_description: str | None = Field(default=None, sa_type=sa.Text)
    minimum_age: int | None = None
    maximum_age: int | None = None
    # The center's own fields (`x_onestop`).
    categories: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    target_groups: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    accepts_referrals: bool = False
    serves_abroad: bool = False
    referral_contact_name: str | None = Field(default=None, max_length=200)
    referral_email: str | None = Field(default=None, max_length=320)
    referral_phone: str | None = Field(default=None, max_length=20)
    webhook_url: str | None = Field(default=None, max_length=2000)
    response_deadline_hours: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    version: int = Field(default=1, description="Bumped on every change; the ETag.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceArea(SQLModel, table=True):
    """An area a service covers, by official code or country code."""

    __tablename__ = "service_areas"
    __table_args__ = (
        # Suggestions find the services covering a case's codes through this index.
        sa.Index("ix_service_areas_area_code_service_id", "area_code", "service_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    service_id: uuid.UUID = Field(foreign_key="services.id", index=True, ondelete="CASCADE")
    name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    area_code: str = Field(max_length=6)


class Language(SQLModel, table=True):
    """A language a service is offered in (ISO 639 code)."""

    __tablename__ = "languages"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    service_id: uuid.UUID = Field(foreign_key="services.id", index=True, ondelete="CASCADE")
    name: str | None = Field(default=None, max_length=100)
    code: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=500)


class Location(SQLModel, table=True):
    """A place where an organization's services are delivered."""

    __tablename__ = "locations"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", index=True, ondelete="CASCADE"
    )
    location_type: str = Field(max_length=16)
    name: str | None = Field(default=None, max_length=300)
    alternate_name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, sa_type=sa.Text)
    transportation: str | None = Field(default=None, max_length=2000)
    latitude: float | None = None
    longitude: float | None = None


class Address(SQLModel, table=True):
    """A postal or physical address of a location."""

    __tablename__ = "addresses"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    location_id: uuid.UUID = Field(foreign_key="locations.id", index=True, ondelete="CASCADE")
    attention: str | None = Field(default=None, max_length=300)
    address_1: str = Field(max_length=500)
    address_2: str | None = Field(default=None, max_length=500)
    city: str = Field(max_length=200)
    region: str | None = Field(default=None, max_length=200)
    state_province: str = Field(max_length=200)
    postal_code: str = Field(max_length=20)
    country: str = Field(max_length=2)
    address_type: str = Field(max_length=16)


class ServiceAtLocation(SQLModel, table=True):
    """A service offered at one of its organization's locations."""

    __tablename__ = "service_at_locations"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    service_id: uuid.UUID = Field(foreign_key="services.id", index=True, ondelete="CASCADE")
    location_id: uuid.UUID = Field(foreign_key="locations.id", index=True, ondelete="CASCADE")
    description: str | None = Field(default=None, max_length=2000)


class Contact(SQLModel, table=True):
    """A named person or desk to contact at an organization or about a service."""

    __tablename__ = "contacts"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="organizations.id", index=True, ondelete="CASCADE"
    )
    service_id: uuid.UUID | None = Field(
        default=None, foreign_key="services.id", index=True, ondelete="CASCADE"
    )
    name: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)


class Phone(SQLModel, table=True):
    """A telephone number of an organization, service, location or contact (one of them)."""

    __tablename__ = "phones"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="organizations.id", index=True, ondelete="CASCADE"
    )
    service_id: uuid.UUID | None = Field(
        default=None, foreign_key="services.id", index=True, ondelete="CASCADE"
    )
    location_id: uuid.UUID | None = Field(
        default=None, foreign_key="locations.id", index=True, ondelete="CASCADE"
    )
    contact_id: uuid.UUID | None = Field(
        default=None, foreign_key="contacts.id", index=True, ondelete="CASCADE"
    )
    number: str = Field(max_length=40)
    extension: str | None = Field(default=None, max_length=20)
    type: str | None = Field(default=None, max_length=16)
    description: str | None = Field(default=None, max_length=500)


class ServiceCapacity(SQLModel, table=True):
    """HSDS 3.1 `service_capacity`: how much room a service has, in a unit, as of `updated`."""

    __tablename__ = "service_capacities"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    service_id: uuid.UUID = Field(foreign_key="services.id", index=True, ondelete="CASCADE")
    unit_id: uuid.UUID = Field(default_factory=new_id)
    unit_name: str = Field(max_length=200)
    unit_scheme: str | None = Field(default=None, max_length=200)
    unit_identifier: str | None = Field(default=None, max_length=200)
    available: int
    maximum: int | None = None
    description: str | None = Field(default=None, max_length=2000)
    updated: datetime = Field(sa_type=UTCDateTime)


class DirectoryStamp(SQLModel, table=True):
    """One row: a random stamp given anew by every transaction that changes the directory
    (`service.routing.agency_directory`), so a process keeping the directory knows when to read
    it again."""

    __tablename__ = "directory_stamps"

    id: int = Field(default=1, primary_key=True)
    stamp: str = Field(max_length=32)
