"""How an HSDS object is written over a directory row and its children.

Children (contacts, phones, languages, areas, capacities, addresses, services at locations)
are replaced as a whole, with Core statements; locations are kept by id, since services point
at them. Deleting a location or contact removes what hangs from it (foreign keys cascade on
both databases).
"""

from __future__ import annotations

import uuid
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
from models.hsds import (
    HsdsContact,
    HsdsLocation,
    HsdsOrganizationFields,
    HsdsPhone,
    HsdsServiceFields,
    ReferralContact,
)
from service.routing.directory_records import in_urgency_order, table_of


def apply_organization(organization: Organization, data: HsdsOrganizationFields) -> None:
    """Copies an HSDS organization's own fields onto its row."""
    for name in ("name", "alternate_name", "description", "email", "website", "legal_status"):
        setattr(organization, name, getattr(data, name))


def apply_service(service: Service, data: HsdsServiceFields) -> None:
    """Copies an HSDS service's own fields and `x_onestop` onto its row."""
    for name in (
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "interpretation_services",
        "application_process",
        "fees_description",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
    ):
        setattr(service, name, getattr(data, name))
    extension = data.x_onestop
    contact = extension.referral_contact or ReferralContact()
    service.categories = [c.value for c in extension.categories]
    service.target_groups = [g.value for g in extension.target_groups]
    service.accepts_referrals = extension.accepts_referrals
    service.serves_abroad = extension.serves_abroad
    service.referral_contact_name = contact.name
    service.referral_email = contact.email
    service.referral_phone = contact.phone
    service.webhook_url = extension.webhook_url
    service.response_deadline_hours = in_urgency_order(
        {u.value: hours for u, hours in extension.response_deadline_hours.items()}
    )


def _phone_row(phone: HsdsPhone, **parent: uuid.UUID) -> dict[str, Any]:
    return Phone.model_validate({**phone.model_dump(), **parent}).model_dump()


def _contact_rows(
    contacts: list[HsdsContact], **parent: uuid.UUID
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, phones = [], []
    for contact in contacts:
        rows.append(
            Contact.model_validate(
                {**contact.model_dump(exclude={"phones"}), **parent}
            ).model_dump()
        )
        phones += [_phone_row(p, contact_id=contact.id) for p in contact.phones]
    return rows, phones


async def _insert(session: AsyncSession, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(table_of(model)), rows)


async def _delete(session: AsyncSession, model: type[SQLModel], condition: Any) -> None:
    await session.execute(sa.delete(table_of(model)).where(condition))


async def write_organization_children(
    session: AsyncSession, organization_id: uuid.UUID, data: HsdsOrganizationFields
) -> None:
    """Replaces an organization's contacts and phones; keeps its locations by id."""
    await _delete(session, Phone, table_of(Phone).c.organization_id == organization_id)
    await _delete(session, Contact, table_of(Contact).c.organization_id == organization_id)
    contacts, contact_phones = _contact_rows(data.contacts, organization_id=organization_id)
    await _insert(session, Contact, contacts)
    phones = [_phone_row(p, organization_id=organization_id) for p in data.phones]
    await _insert(session, Phone, phones + contact_phones)
    await _write_locations(session, organization_id, data.locations)


async def _write_locations(
    session: AsyncSession, organization_id: uuid.UUID, locations: list[HsdsLocation]
) -> None:
    table = table_of(Location)
    wanted = {location.id for location in locations}
    existing = set(
        (
            await session.execute(
                sa.select(table.c.id).where(table.c.organization_id == organization_id)
            )
        ).scalars()
    )
    await _delete(
        session, Location, (table.c.organization_id == organization_id) & table.c.id.not_in(wanted)
    )
    kept = existing & wanted
    if kept:
        await _delete(session, Address, table_of(Address).c.location_id.in_(kept))
        await _delete(session, Phone, table_of(Phone).c.location_id.in_(kept))
    addresses: list[dict[str, Any]] = []
    phones: list[dict[str, Any]] = []
    for location in locations:
        values = Location(
            **location.model_dump(exclude={"addresses", "phones"}),
            organization_id=organization_id,
        ).model_dump()
        if location.id in kept:
            await session.execute(sa.update(table).where(table.c.id == location.id).values(values))
        else:
            await _insert(session, Location, [values])
        addresses += [
            Address(**a.model_dump(), location_id=location.id).model_dump()
            for a in location.addresses
        ]
        phones += [_phone_row(p, location_id=location.id) for p in location.phones]
    await _insert(session, Address, addresses)
    await _insert(session, Phone, phones)


async def write_service_children(
    session: AsyncSession, service_id: uuid.UUID, data: HsdsServiceFields
) -> None:
    """Replaces every child of a service with the HSDS object's."""
    for model in (ServiceArea, Language, ServiceAtLocation, ServiceCapacity, Phone, Contact):
        await _delete(session, model, table_of(model).c.service_id == service_id)
    contacts, contact_phones = _contact_rows(data.contacts, service_id=service_id)
    await _insert(session, Contact, contacts)
    await _insert(
        session,
        Phone,
        [_phone_row(p, service_id=service_id) for p in data.phones] + contact_phones,
    )
    await _insert(
        session,
        ServiceArea,
        [
            ServiceArea(
                id=a.id,
                service_id=service_id,
                name=a.name,
                description=a.description,
                area_code=a.x_onestop.area_code,
            ).model_dump()
            for a in data.service_areas
        ],
    )
    await _insert(
        session,
        Language,
        [Language(**r.model_dump(), service_id=service_id).model_dump() for r in data.languages],
    )
    await _insert(
        session,
        ServiceAtLocation,
        [
            ServiceAtLocation(**r.model_dump(), service_id=service_id).model_dump()
            for r in data.service_at_locations
        ],
    )
    await _insert(
        session,
        ServiceCapacity,
        [
            ServiceCapacity(
                id=c.id,
                service_id=service_id,
                unit_id=c.unit.id,
                unit_name=c.unit.name,
                unit_scheme=c.unit.scheme,
                unit_identifier=c.unit.identifier,
                available=c.available,
                maximum=c.maximum,
                description=c.description,
                updated=c.updated,
            ).model_dump()
            for c in data.capacities
        ],
    )
