"""The agency directory: organizations and services in HSDS shape, managed by admins, read by
staff, and kept current by agency staff (their contact data and their services' room)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Response, status

from auth.dependencies import Admin, AgencyEditor, DirectoryReader, DirectoryStaff
from models.base import utcnow
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
from routers import API_PREFIX
from routers.examples import ORGANIZATION_EXAMPLES, SERVICE_EXAMPLES
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.routing import directory

router = APIRouter(prefix=f"{API_PREFIX}/directory", tags=["directory"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=1024,
        description="`next_cursor` of the previous page (opaque; checked by the server).",
    ),
]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200)]
ANSWER = {
    "headers": {
        "ETag": {
            "description": "Current version; send it in If-Match to change it.",
            "schema": {"type": "string"},
        }
    }
}
CHANGE_ERRORS = problem_schema_responses(401, 403, 404, 409, 412, 422, 428)


@router.get(
    "/organizations",
    summary="List organizations",
    responses=problem_schema_responses(401, 403, 422),
)
async def list_organizations(
    _user: DirectoryStaff, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> OrganizationList:
    """Agencies by name, a page at a time, each with its contacts, phones and locations."""
    return await directory.list_organizations(session, limit=limit, cursor=cursor)


@router.post(
    "/organizations",
    summary="Add an organization",
    status_code=status.HTTP_201_CREATED,
    responses={201: ANSWER, **problem_schema_responses(401, 403, 409, 422)},
)
async def create_organization(
    body: Annotated[HsdsOrganizationFields, Body(openapi_examples=ORGANIZATION_EXAMPLES)],
    response: Response,
    _admin: Admin,
    session: Session,
) -> OrganizationOut:
    """Add an agency to the directory (admins); its id is made by the server."""
    answer, tag = await directory.create_organization(session, data=body, now=utcnow())
    response.headers["ETag"] = tag
    return answer


@router.get(
    "/organizations/{organization_id}",
    summary="Read an organization",
    responses={200: ANSWER, **problem_schema_responses(401, 403, 404, 422)},
)
async def read_organization(
    organization_id: uuid.UUID, response: Response, user: DirectoryReader, session: Session
) -> OrganizationOut:
    """One agency with its contacts, phones and locations; agency staff read only their own."""
    answer, tag = await directory.read_organization(
        session, user=user, organization_id=organization_id
    )
    response.headers["ETag"] = tag
    return answer


@router.put(
    "/organizations/{organization_id}",
    summary="Replace an organization",
    responses={200: ANSWER, **CHANGE_ERRORS},
)
async def replace_organization(
    organization_id: uuid.UUID,
    body: HsdsOrganizationFields,
    response: Response,
    admin: Admin,
    session: Session,
    if_match: IfMatch = None,
) -> OrganizationOut:
    """Replace an agency's fields, contacts, phones and locations (admins; If-Match required)."""
    answer, tag = await directory.replace_organization(
        session,
        user=admin,
        organization_id=organization_id,
        data=body,
        if_match=if_match,
        now=utcnow(),
    )
    response.headers["ETag"] = tag
    return answer


@router.patch(
    "/organizations/{organization_id}",
    summary="Change an organization's contact data",
    responses={200: ANSWER, **CHANGE_ERRORS},
)
async def update_organization_contact(
    organization_id: uuid.UUID,
    body: OrganizationContactPatch,
    response: Response,
    user: AgencyEditor,
    session: Session,
    if_match: IfMatch = None,
) -> OrganizationOut:
    """Change how to reach an agency: e-mail, web site, phones, contacts (its own staff or
    admins; If-Match required)."""
    answer, tag = await directory.update_organization_contact(
        session,
        user=user,
        organization_id=organization_id,
        patch=body,
        if_match=if_match,
        now=utcnow(),
    )
    response.headers["ETag"] = tag
    return answer


@router.get(
    "/services",
    summary="List services",
    responses=problem_schema_responses(401, 403, 422),
)
async def list_services(
    _user: DirectoryStaff,
    session: Session,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    organization_id: uuid.UUID | None = None,
    service_status: Annotated[ServiceStatus | None, Query(alias="status")] = None,
) -> ServiceList:
    """Services by name, a page at a time; of one organization or one status if asked."""
    return await directory.list_services(
        session, limit=limit, cursor=cursor, organization_id=organization_id, status=service_status
    )


@router.post(
    "/services",
    summary="Add a service",
    status_code=status.HTTP_201_CREATED,
    responses={201: ANSWER, **problem_schema_responses(401, 403, 409, 422)},
)
async def create_service(
    body: Annotated[HsdsServiceFields, Body(openapi_examples=SERVICE_EXAMPLES)],
    response: Response,
    _admin: Admin,
    session: Session,
) -> ServiceOut:
    """Add a service to an organization (admins); its id is made by the server."""
    answer, tag = await directory.create_service(session, data=body, now=utcnow())
    response.headers["ETag"] = tag
    return answer


@router.get(
    "/services/{service_id}",
    summary="Read a service",
    responses={200: ANSWER, **problem_schema_responses(401, 403, 404, 422)},
)
async def read_service(
    service_id: uuid.UUID, response: Response, user: DirectoryReader, session: Session
) -> ServiceOut:
    """One service with its areas, languages, contacts, locations and capacity; agency staff
    read only their own organization's."""
    answer, tag = await directory.read_service(session, user=user, service_id=service_id)
    response.headers["ETag"] = tag
    return answer


@router.put(
    "/services/{service_id}",
    summary="Replace a service",
    responses={200: ANSWER, **CHANGE_ERRORS},
)
async def replace_service(
    service_id: uuid.UUID,
    body: HsdsServiceFields,
    response: Response,
    admin: Admin,
    session: Session,
    if_match: IfMatch = None,
) -> ServiceOut:
    """Replace a service with everything it holds (admins; If-Match required); set its status
    to `inactive` to retire it: services are never deleted, referrals point at them."""
    answer, tag = await directory.replace_service(
        session, user=admin, service_id=service_id, data=body, if_match=if_match, now=utcnow()
    )
    response.headers["ETag"] = tag
    return answer


@router.patch(
    "/services/{service_id}/capacity",
    summary="Publish a service's room",
    responses={200: ANSWER, **problem_schema_responses(401, 403, 404, 422)},
)
async def update_capacity(
    service_id: uuid.UUID,
    body: CapacityUpdate,
    response: Response,
    user: AgencyEditor,
    session: Session,
) -> ServiceOut:
    """Publish how much room a service has now, in one unit (its own agency staff or admins);
    the newest count wins, so no If-Match is needed."""
    answer, tag = await directory.update_capacity(
        session, user=user, service_id=service_id, body=body, now=utcnow()
    )
    response.headers["ETag"] = tag
    return answer
