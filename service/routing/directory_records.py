"""How directory rows become HSDS objects: an organization's or a service's children loaded in
one statement per table, then nested under their parents (writing them back is
`service.routing.directory_writes`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from models.agency import (
    Address,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
)
from models.enums import Urgency
from models.hsds import (
    HsdsAddress,
    HsdsAreaExtension,
    HsdsCapacity,
    HsdsContact,
    HsdsLanguage,
    HsdsLocation,
    HsdsPhone,
    HsdsServiceArea,
    HsdsServiceAtLocation,
    HsdsServiceExtension,
    HsdsUnit,
    ReferralContact,
)

Row = sa.Row[Any]


def in_urgency_order(hours: dict[str, int]) -> dict[str, int]:
    """Hours per urgency, most urgent first, so that exports are stable."""
    return {u.value: hours[u.value] for u in Urgency if u.value in hours}


def table_of(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


@dataclass
class Children:
    """Child rows grouped by the parent column that names them."""

    rows: dict[str, dict[uuid.UUID, list[Row]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def of(self, kind: str, parent_id: uuid.UUID) -> list[Row]:
        return sorted(self.rows[kind].get(parent_id, []), key=lambda r: str(r.id))

    def add(self, kind: str, rows: Iterable[Row], parent: str) -> None:
        for row in rows:
            parent_id = getattr(row, parent)
            if parent_id is not None:
                self.rows[kind][parent_id].append(row)


async def _select(
    session: AsyncSession, model: type[SQLModel], column: str, ids: Sequence[uuid.UUID] | None
) -> Sequence[Row]:
    table = table_of(model)
    query = sa.select(table)
    if ids is not None:
        query = query.where(table.c[column].in_(ids))
    return (await session.execute(query)).all()


async def load_organization_children(
    session: AsyncSession, organization_ids: Sequence[uuid.UUID] | None
) -> Children:
    """Contacts, phones and locations (with addresses) of the organizations (None: all)."""
    children = Children()
    contacts = await _select(session, Contact, "organization_id", organization_ids)
    children.add("contacts", contacts, "organization_id")
    locations = await _select(session, Location, "organization_id", organization_ids)
    children.add("locations", locations, "organization_id")
    location_ids = None if organization_ids is None else [r.id for r in locations]
    children.add(
        "addresses", await _select(session, Address, "location_id", location_ids), "location_id"
    )
    phones = table_of(Phone)
    query = sa.select(phones).where(phones.c.service_id.is_(None))
    if organization_ids is not None:
        contact_ids = [r.id for r in contacts]
        query = query.where(
            phones.c.organization_id.in_(organization_ids)
            | phones.c.contact_id.in_(contact_ids)
            | phones.c.location_id.in_(location_ids or [])
        )
    rows = (await session.execute(query)).all()
    for parent in ("organization_id", "contact_id", "location_id"):
        children.add(f"phones.{parent}", rows, parent)
    return children


async def load_service_children(
    session: AsyncSession, service_ids: Sequence[uuid.UUID] | None
) -> Children:
    """Every child row of the services (None: of all services)."""
    children = Children()
    for kind, model in (
        ("service_areas", ServiceArea),
        ("languages", Language),
        ("service_at_locations", ServiceAtLocation),
        ("capacities", ServiceCapacity),
        ("contacts", Contact),
    ):
        children.add(kind, await _select(session, model, "service_id", service_ids), "service_id")
    contact_ids = [r.id for rows in children.rows["contacts"].values() for r in rows]
    phones = table_of(Phone)
    query = sa.select(phones).where(phones.c.service_id.is_not(None))
    if service_ids is not None:
        query = sa.select(phones).where(
            phones.c.service_id.in_(service_ids) | phones.c.contact_id.in_(contact_ids)
        )
    rows = (await session.execute(query)).all()
    children.add("phones.service_id", rows, "service_id")
    children.add("phones.contact_id", rows, "contact_id")
    return children


# --------------------------------------------------------------------------- rows to HSDS


def _phone(row: Row) -> HsdsPhone:
    return HsdsPhone(
        id=row.id,
        number=row.number,
        extension=row.extension,
        type=row.type,
        description=row.description,
    )


def _contact(row: Row, children: Children) -> HsdsContact:
    return HsdsContact(
        id=row.id,
        name=row.name,
        title=row.title,
        department=row.department,
        email=row.email,
        phones=[_phone(p) for p in children.of("phones.contact_id", row.id)],
    )


def _location(row: Row, children: Children) -> HsdsLocation:
    return HsdsLocation(
        id=row.id,
        location_type=row.location_type,
        name=row.name,
        alternate_name=row.alternate_name,
        description=row.description,
        transportation=row.transportation,
        latitude=row.latitude,
        longitude=row.longitude,
        addresses=[
            HsdsAddress(**{k: v for k, v in a._asdict().items() if k != "location_id"})
            for a in children.of("addresses", row.id)
        ],
        phones=[_phone(p) for p in children.of("phones.location_id", row.id)],
    )


def organization_fields(organization: Organization, children: Children) -> dict[str, Any]:
    """An organization's HSDS fields (not its services) from its row and children."""
    org_id = organization.id
    return {
        "name": organization.name,
        "alternate_name": organization.alternate_name,
        "description": organization.description,
        "email": organization.email,
        "website": organization.website,
        "legal_status": organization.legal_status,
        "contacts": [_contact(c, children) for c in children.of("contacts", org_id)],
        "phones": [_phone(p) for p in children.of("phones.organization_id", org_id)],
        "locations": [_location(r, children) for r in children.of("locations", org_id)],
    }


def service_fields(service: Service, children: Children) -> dict[str, Any]:
    """A service's HSDS fields from its row and children."""
    sid = service.id
    referral = ReferralContact(
        name=service.referral_contact_name,
        email=service.referral_email,
        phone=service.referral_phone,
    )
    return {
        "organization_id": service.organization_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "interpretation_services": service.interpretation_services,
        "application_process": service.application_process,
        "fees_description": service.fees_description,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "service_areas": [
            HsdsServiceArea(
                id=a.id,
                name=a.name,
                description=a.description,
                x_onestop=HsdsAreaExtension(area_code=a.area_code),
            )
            for a in children.of("service_areas", sid)
        ],
        "languages": [
            HsdsLanguage(id=r.id, name=r.name, code=r.code, note=r.note)
            for r in children.of("languages", sid)
        ],
        "contacts": [_contact(c, children) for c in children.of("contacts", sid)],
        "phones": [_phone(p) for p in children.of("phones.service_id", sid)],
        "service_at_locations": [
            HsdsServiceAtLocation(id=r.id, location_id=r.location_id, description=r.description)
            for r in children.of("service_at_locations", sid)
        ],
        "capacities": [
            HsdsCapacity(
                id=r.id,
                unit=HsdsUnit(
                    id=r.unit_id,
                    name=r.unit_name,
                    scheme=r.unit_scheme,
                    identifier=r.unit_identifier,
                ),
                available=r.available,
                maximum=r.maximum,
                description=r.description,
                updated=r.updated,
            )
            for r in children.of("capacities", sid)
        ],
        "x_onestop": HsdsServiceExtension(
            categories=service.categories,
            target_groups=service.target_groups,
            accepts_referrals=service.accepts_referrals,
            serves_abroad=service.serves_abroad,
            referral_contact=referral if referral.model_dump(exclude_none=True) else None,
            webhook_url=service.webhook_url,
            response_deadline_hours=in_urgency_order(service.response_deadline_hours),
        ),
    }
