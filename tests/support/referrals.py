"""Helpers shared by the referral tests: a directory of two agencies, their staff, a case in
progress."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from models.agency import Organization, Service, ServiceArea
from models.base import utcnow
from models.enums import Role, ServiceStatus
from models.user import User
from tests.conftest import Actor, MakeActor
from tests.support.cases import CASES, anonymous_body, create_case, move

REFERRALS = "/api/v1/referrals"


@dataclass
class Agency:
    organization: Organization
    service: Service
    staff: Actor


async def add_service(
    session: AsyncSession,
    organization: Organization,
    *,
    name: str = "Shelter",
    area: str = "10",
    categories: tuple[str, ...] = ("older_person", "income_livelihood"),
    **fields: Any,
) -> Service:
    now = utcnow()
    values: dict[str, Any] = {
        "organization_id": organization.id,
        "name": name,
        "status": ServiceStatus.active,
        "categories": list(categories),
        "accepts_referrals": True,
        "response_deadline_hours": {"critical": 1, "high": 4, "normal": 24, "low": 72},
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    service = Service(**values)
    session.add(service)
    await session.flush()
    session.add(ServiceArea(service_id=service.id, area_code=area))
    await session.flush()
    return service


async def make_agency(
    session: AsyncSession, make_actor: MakeActor, *, name: str, **service_fields: Any
) -> Agency:
    """An organization with one service covering Bangkok, and one staff account of it."""
    now = utcnow()
    organization = Organization(name=name, description=name, created_at=now, updated_at=now)
    session.add(organization)
    await session.flush()
    service = await add_service(session, organization, name=f"{name} service", **service_fields)
    staff = await make_actor(Role.agency)
    user = await session.get(User, staff.user.id)
    assert user is not None
    user.organization_id = organization.id
    await session.commit()
    return Agency(organization, service, staff)


async def case_in_progress(
    client: httpx.AsyncClient, headers: dict[str, str], **intake: Any
) -> dict[str, Any]:
    """A new case screened and taken on by the caller (a caseworker or supervisor)."""
    case = await create_case(client, headers, anonymous_body(**intake))
    for step in ("screened", "in_progress"):
        response = await move(client, headers, case["id"], step)
        assert response.status_code == 200, response.text
    return dict(response.json())


async def refer(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: str,
    service_id: Any = None,
    **body: Any,
) -> httpx.Response:
    sent: dict[str, Any] = {"groups": ["contact", "summary"], "reason": "needs shelter", **body}
    if service_id is not None:
        sent["service_id"] = str(service_id)
    return await client.post(f"{CASES}/{case_id}/referrals", json=sent, headers=headers)


async def answer(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    referral_id: str,
    step: str,
    reason: str | None = None,
) -> httpx.Response:
    body = {"reason": reason} if reason else None
    return await client.post(f"{REFERRALS}/{referral_id}/{step}", json=body, headers=headers)


def new_id() -> str:
    return str(uuid.uuid4())
