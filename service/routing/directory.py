"""The agency directory over the API: organizations and services listed, created, read and
replaced by admins (staff read them too), an organization's contact data changed by its own
agency staff, and a service's room published by them.

Nothing is deleted: a service that stops is replaced with status `inactive` (or `defunct`), so
referrals keep their target. Replacing needs the current ETag in `If-Match` (428 without, 412
when stale), like a case; publishing room does not, since the newest count is the right one.
What an agency account may not read answers 404, what it may read but not change 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import may_read_organization, may_update_agency_contact
from models.agency import Location, Organization, Service, ServiceAtLocation, ServiceCapacity
from models.enums import ServiceStatus
from models.hsds import (
    CapacityUpdate,
    HsdsOrganizationFields,
    HsdsServiceFields,
    OrganizationContactPatch,
    OrganizationList,
    OrganizationOut,
    ServiceList,
    ServiceOut,
)
from models.user import User
from service.platform.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    field_error,
)
from service.platform.pagination import decode_cursor, encode_cursor
from service.routing.directory_records import (
    load_organization_children,
    load_service_children,
    organization_fields,
    service_fields,
)
from service.routing.directory_writes import (
    apply_organization,
    apply_service,
    write_organization_children,
    write_service_children,
)
from service.routing.hsds import repeated_ids, service_problems

NAME_MAX = 300


def etag(row: Organization | Service) -> str:
    """The strong ETag of an organization's or service's current version."""
    return f'"{row.version}"'


def _check_if_match(row: Organization | Service, if_match: str | None) -> None:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            code="directory.if_match",
            errors=[{"header": "If-Match", "detail": "required", "type": "missing"}],
        )
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag(row) not in tags:
        raise PreconditionFailed(code="directory.stale", extra={"current_etag": etag(row)})


async def _write_children(
    session: AsyncSession,
    row: Organization | Service,
    data: HsdsOrganizationFields | HsdsServiceFields,
) -> None:
    """Write an object's children: 422 for an id sent twice, 409 for one that belongs to
    another entry of the directory."""
    if repeated := repeated_ids(data):
        raise Unprocessable(
            errors=[field_error(p, "sent more than once", "consistency") for p in repeated]
        )
    try:
        if isinstance(row, Organization) and isinstance(data, HsdsOrganizationFields):
            await write_organization_children(session, row.id, data)
        elif isinstance(data, HsdsServiceFields):
            await write_service_children(session, row.id, data)
        await session.flush()
    except IntegrityError:
        raise Conflict(code="directory.id_taken") from None


def _name_cursor(cursor: str) -> tuple[str, uuid.UUID]:
    """The (name, id) after which a page starts; 422 when the cursor is not ours."""
    name, row_id = decode_cursor(cursor, size=2)
    invalid = Unprocessable(
        "The cursor is not valid; start again without one.",
        errors=[{"parameter": "cursor", "detail": "not a valid cursor", "type": "cursor"}],
    )
    if not isinstance(name, str) or not isinstance(row_id, str) or len(name) > NAME_MAX:
        raise invalid
    try:
        name.encode("utf-8")  # a lone surrogate is no name a column holds
        parsed = uuid.UUID(row_id)
    except (ValueError, UnicodeEncodeError):
        raise invalid from None
    if "\x00" in name:
        raise invalid
    return name, parsed


def _page(query: Any, model: Any, limit: int, cursor: str | None) -> Any:
    if cursor is not None:
        name, row_id = _name_cursor(cursor)
        query = query.where(sa.tuple_(model.name, model.id) > sa.tuple_(sa.literal(name), row_id))
    return query.order_by(model.name, model.id).limit(limit + 1)


def _next_cursor(rows: Sequence[Organization | Service], limit: int) -> str | None:
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor([last.name, str(last.id)])


# --------------------------------------------------------------------------- organizations


async def _organizations_out(
    session: AsyncSession, organizations: Sequence[Organization]
) -> list[OrganizationOut]:
    children = await load_organization_children(session, [o.id for o in organizations])
    return [
        OrganizationOut(
            id=o.id, version=o.version, updated_at=o.updated_at, **organization_fields(o, children)
        )
        for o in organizations
    ]


async def list_organizations(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> OrganizationList:
    """Organizations by name, a page at a time."""
    query = _page(sa.select(Organization), Organization, limit, cursor)
    rows = (await session.scalars(query)).all()
    return OrganizationList(
        items=await _organizations_out(session, rows[:limit]),
        next_cursor=_next_cursor(rows, limit),
    )


async def _organization(
    session: AsyncSession, user: User, organization_id: uuid.UUID
) -> Organization:
    organization = await session.get(Organization, organization_id)
    if organization is None or not may_read_organization(
        user.role, user.organization_id, organization_id
    ):
        raise NotFound(code="directory.organization_not_found")
    return organization


async def read_organization(
    session: AsyncSession, *, user: User, organization_id: uuid.UUID
) -> tuple[OrganizationOut, str]:
    """One organization with its contacts, phones and locations, and its ETag."""
    organization = await _organization(session, user, organization_id)
    (answer,) = await _organizations_out(session, [organization])
    return answer, etag(organization)


async def create_organization(
    session: AsyncSession, *, data: HsdsOrganizationFields, now: datetime
) -> tuple[OrganizationOut, str]:
    """A new organization (its id made here), with its contacts, phones and locations."""
    organization = Organization(name=data.name, description=data.description)
    organization.created_at = organization.updated_at = now
    apply_organization(organization, data)
    session.add(organization)
    await session.flush()
    await _write_children(session, organization, data)
    (answer,) = await _organizations_out(session, [organization])
    return answer, etag(organization)


async def _changed(session: AsyncSession, row: Organization | Service, now: datetime) -> None:
    row.version += 1
    row.updated_at = now
    session.add(row)
    await session.flush()


async def replace_organization(
    session: AsyncSession,
    *,
    user: User,
    organization_id: uuid.UUID,
    data: HsdsOrganizationFields,
    if_match: str | None,
    now: datetime,
) -> tuple[OrganizationOut, str]:
    """Replace an organization's fields, contacts, phones and locations (If-Match)."""
    organization = await _organization(session, user, organization_id)
    _check_if_match(organization, if_match)
    await _check_locations_in_use(session, organization_id, {loc.id for loc in data.locations})
    apply_organization(organization, data)
    await _changed(session, organization, now)
    await _write_children(session, organization, data)
    (answer,) = await _organizations_out(session, [organization])
    return answer, etag(organization)


async def _check_locations_in_use(
    session: AsyncSession, organization_id: uuid.UUID, kept: set[uuid.UUID]
) -> None:
    """Refuse to remove a location one of the organization's services is offered at."""
    used = await session.scalars(
        sa.select(col(ServiceAtLocation.location_id))
        .join(Location, col(Location.id) == col(ServiceAtLocation.location_id))
        .where(col(Location.organization_id) == organization_id)
    )
    if set(used) - kept:
        raise Unprocessable(
            errors=[field_error("/locations", "a service is offered there", "consistency")]
        )


async def update_organization_contact(
    session: AsyncSession,
    *,
    user: User,
    organization_id: uuid.UUID,
    patch: OrganizationContactPatch,
    if_match: str | None,
    now: datetime,
) -> tuple[OrganizationOut, str]:
    """Change how to reach an organization: e-mail, web site, phones, contacts (If-Match)."""
    organization = await _organization(session, user, organization_id)
    if not may_update_agency_contact(user.role, user.organization_id, organization_id):
        raise Forbidden(code="directory.own_only")
    _check_if_match(organization, if_match)
    (current,) = await _organizations_out(session, [organization])
    sent = patch.model_dump(exclude_unset=True)
    data = HsdsOrganizationFields.model_validate(
        {**current.model_dump(include=set(HsdsOrganizationFields.model_fields)), **sent}
    )
    apply_organization(organization, data)
    await _changed(session, organization, now)
    await _write_children(session, organization, data)
    (answer,) = await _organizations_out(session, [organization])
    return answer, etag(organization)


# --------------------------------------------------------------------------- services


async def _services_out(session: AsyncSession, rows: Sequence[Service]) -> list[ServiceOut]:
    children = await load_service_children(session, [s.id for s in rows])
    return [
        ServiceOut(
            id=s.id, version=s.version, updated_at=s.updated_at, **service_fields(s, children)
        )
        for s in rows
    ]


async def list_services(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    organization_id: uuid.UUID | None,
    status: ServiceStatus | None,
) -> ServiceList:
    """Services by name, a page at a time, of one organization or status if asked."""
    query = sa.select(Service)
    if organization_id is not None:
        query = query.where(col(Service.organization_id) == organization_id)
    if status is not None:
        query = query.where(col(Service.status) == status)
    rows = (await session.scalars(_page(query, Service, limit, cursor))).all()
    return ServiceList(
        items=await _services_out(session, rows[:limit]), next_cursor=_next_cursor(rows, limit)
    )


async def _service(session: AsyncSession, user: User, service_id: uuid.UUID) -> Service:
    service = await session.get(Service, service_id)
    if service is None or not may_read_organization(
        user.role, user.organization_id, service.organization_id
    ):
        raise NotFound(code="directory.service_not_found")
    return service


async def read_service(
    session: AsyncSession, *, user: User, service_id: uuid.UUID
) -> tuple[ServiceOut, str]:
    """One service with everything it holds, and its ETag."""
    service = await _service(session, user, service_id)
    (answer,) = await _services_out(session, [service])
    return answer, etag(service)


async def _check_service(session: AsyncSession, data: HsdsServiceFields) -> None:
    if await session.get(Organization, data.organization_id) is None:
        raise Unprocessable(
            errors=[field_error("/organization_id", "no such organization", "consistency")]
        )
    location_ids = set(
        await session.scalars(
            sa.select(col(Location.id)).where(col(Location.organization_id) == data.organization_id)
        )
    )
    if problems := service_problems(data, "", location_ids):
        raise Unprocessable(errors=[field_error(*problem) for problem in problems])


async def create_service(
    session: AsyncSession, *, data: HsdsServiceFields, now: datetime
) -> tuple[ServiceOut, str]:
    """A new service of an existing organization (its id made here)."""
    await _check_service(session, data)
    service = Service(organization_id=data.organization_id, name=data.name, status=data.status)
    service.created_at = service.updated_at = now
    apply_service(service, data)
    session.add(service)
    await session.flush()
    await _write_children(session, service, data)
    (answer,) = await _services_out(session, [service])
    return answer, etag(service)


async def replace_service(
    session: AsyncSession,
    *,
    user: User,
    service_id: uuid.UUID,
    data: HsdsServiceFields,
    if_match: str | None,
    now: datetime,
) -> tuple[ServiceOut, str]:
    """Replace a service with everything it holds (If-Match); status `inactive` retires it."""
    service = await _service(session, user, service_id)
    _check_if_match(service, if_match)
    await _check_service(session, data)
    apply_service(service, data)
    await _changed(session, service, now)
    await _write_children(session, service, data)
    (answer,) = await _services_out(session, [service])
    return answer, etag(service)


async def update_capacity(
    session: AsyncSession,
    *,
    user: User,
    service_id: uuid.UUID,
    body: CapacityUpdate,
    now: datetime,
) -> tuple[ServiceOut, str]:
    """Publish a service's room now in one unit (the capacity of that unit name, made if new)."""
    service = await _service(session, user, service_id)
    if not may_update_agency_contact(user.role, user.organization_id, service.organization_id):
        raise Forbidden(code="directory.own_only")
    if body.maximum is not None and body.available > body.maximum:
        raise Unprocessable(errors=[field_error("/available", "more than maximum", "range")])
    capacity = await session.scalar(
        sa.select(ServiceCapacity).where(
            col(ServiceCapacity.service_id) == service_id,
            col(ServiceCapacity.unit_name) == body.unit_name,
        )
    )
    if capacity is None:
        capacity = ServiceCapacity(
            service_id=service_id, unit_name=body.unit_name, available=0, updated=now
        )
    capacity.available, capacity.maximum, capacity.updated = body.available, body.maximum, now
    session.add(capacity)
    await _changed(session, service, now)
    (answer,) = await _services_out(session, [service])
    return answer, etag(service)
