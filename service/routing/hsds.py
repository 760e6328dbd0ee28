"""Import and export of the agency directory as HSDS-shaped JSON (`models.hsds.HsdsDirectory`).

Import is all or nothing: the whole file is checked first, and any problem refuses it with one
line per problem (a JSON pointer and a reason); otherwise every organization and service is
upserted by its HSDS id in the caller's transaction, and their children replaced by the file's.
Organizations and services the file does not name are left alone: an import adds and updates,
it never deletes (referrals point at services). Export writes every organization with its
services, each list sorted by id and fields in HSDS order, leaving out empty values, so that
import then export reproduces the file byte for byte.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import geothai
import phonenumbers
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.agency import Organization, Service
from models.hsds import HsdsDirectory, HsdsOrganization, HsdsService, HsdsServiceFields
from service.platform.messages import FIELD_TEXT
from service.routing.agency_ranking import THAILAND
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

Problem = tuple[str, str]
"""A JSON pointer and what is wrong there."""
KindedProblem = tuple[str, str, str]
"""A JSON pointer, what is wrong there, and the kind of problem (`messages.FIELD_TEXT`)."""


class DirectoryRefused(Exception):
    """A directory file that cannot be imported; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def area_code_problem(code: str) -> str | None:
    """Why an area code is not one we know, or None: an official province, district or
    subdistrict code, `TH`, or another ISO 3166 alpha-2 country code."""
    if code.isdigit():
        finder = {2: geothai.province, 4: geothai.district, 6: geothai.subdistrict}[len(code)]
        return None if finder(code) is not None else f"unknown Thai area code {code}"
    if code == THAILAND or code in phonenumbers.SUPPORTED_REGIONS:
        return None
    return f"unknown country code {code}"


def service_problems(
    service: HsdsServiceFields, pointer: str, location_ids: set[uuid.UUID]
) -> list[KindedProblem]:
    """What is wrong with a service beyond its schema: area codes, age range, locations."""
    problems: list[KindedProblem] = []
    for index, area in enumerate(service.service_areas):
        if reason := area_code_problem(area.x_onestop.area_code):
            where = f"{pointer}/service_areas/{index}/x_onestop/area_code"
            problems.append((where, reason, "area"))
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None and low > high:
        problems.append((f"{pointer}/maximum_age", "maximum_age is below minimum_age", "range"))
    for index, link in enumerate(service.service_at_locations):
        if link.location_id not in location_ids:
            problems.append(
                (
                    f"{pointer}/service_at_locations/{index}/location_id",
                    "not a location of the service's organization",
                    "consistency",
                )
            )
    for index, capacity in enumerate(service.capacities):
        if capacity.maximum is not None and capacity.available > capacity.maximum:
            where = f"{pointer}/capacities/{index}/available"
            problems.append((where, "more than maximum", "range"))
    return problems


def _ids(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Every `id` in a parsed document, with its pointer."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id":
                yield pointer + "/id", item
            else:
                yield from _ids(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _ids(item, f"{pointer}/{index}")


def repeated_ids(document: BaseModel) -> list[str]:
    """Pointers to every `id` used more than once in an HSDS object (units aside: they are
    objects of their own that several capacities may share)."""
    found = [
        (pointer, value)
        for pointer, value in _ids(document.model_dump(mode="json"), "")
        if not pointer.endswith("/unit/id")
    ]
    counts = Counter(value for _, value in found)
    return [pointer for pointer, value in found if counts[value] > 1]


def _document_problems(document: HsdsDirectory) -> list[Problem]:
    problems: list[Problem] = [
        (pointer, "this id is used more than once in the file")
        for pointer in repeated_ids(document)
    ]
    for o, organization in enumerate(document.organizations):
        location_ids = {location.id for location in organization.locations}
        for s, service in enumerate(organization.services):
            pointer = f"/organizations/{o}/services/{s}"
            if service.organization_id != organization.id:
                problems.append((f"{pointer}/organization_id", "not the enclosing organization"))
            problems += [p[:2] for p in service_problems(service, pointer, location_ids)]
    return problems


def _pointer(location: tuple[str | int, ...]) -> str:
    return "".join(f"/{part}" for part in location)


def _reason(error: Any) -> str:
    text = FIELD_TEXT.get(error["type"])
    if text is None:
        return "This value is not valid."
    try:
        return text.en.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return text.en


def parse_directory(text: str) -> HsdsDirectory:
    """The directory in `text`, or `DirectoryRefused` with every problem found."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise DirectoryRefused(
            [("", f"not JSON (line {error.lineno}, column {error.colno})")]
        ) from None
    try:
        document = HsdsDirectory.model_validate(raw)
    except ValidationError as error:
        raise DirectoryRefused(
            [(_pointer(e["loc"]), _reason(e)) for e in error.errors(include_url=False)]
        ) from None
    if problems := _document_problems(document):
        raise DirectoryRefused(problems)
    return document


async def import_directory(session: AsyncSession, *, text: str, now: datetime) -> Counter[str]:
    """Upserts every organization and service of an HSDS directory; counts what it did."""
    document = parse_directory(text)
    done: Counter[str] = Counter()
    organization_ids = [o.id for o in document.organizations]
    service_ids = [s.id for o in document.organizations for s in o.services]
    existing_orgs = {
        o.id: o
        for o in await session.scalars(
            sa.select(Organization).where(Organization.id.in_(organization_ids))  # type: ignore[attr-defined]
        )
    }
    existing_services = {
        s.id: s
        for s in await session.scalars(sa.select(Service).where(Service.id.in_(service_ids)))  # type: ignore[attr-defined]
    }
    for data in document.organizations:
        organization = existing_orgs.get(data.id)
        if organization is None:
            organization = Organization(id=data.id, name=data.name, description=data.description)
            session.add(organization)
            done["organizations created"] += 1
        else:
            organization.version += 1
            organization.updated_at = now
            done["organizations updated"] += 1
        apply_organization(organization, data)
    try:
        await session.flush()
        for data in document.organizations:
            await write_organization_children(session, data.id, data)
            for service_data in data.services:
                await _upsert_service(session, existing_services, service_data, now, done)
        await session.flush()
    except IntegrityError:
        raise DirectoryRefused(
            [("", "an id in the file belongs to another entry already in the directory")]
        ) from None
    return done


async def _upsert_service(
    session: AsyncSession,
    existing: dict[uuid.UUID, Service],
    data: HsdsService,
    now: datetime,
    done: Counter[str],
) -> None:
    service = existing.get(data.id)
    if service is None:
        service = Service(
            id=data.id, organization_id=data.organization_id, name=data.name, status=data.status
        )
        session.add(service)
        done["services created"] += 1
    else:
        service.version += 1
        service.updated_at = now
        done["services updated"] += 1
    apply_service(service, data)
    await session.flush()
    await write_service_children(session, data.id, data)


async def load_directory(session: AsyncSession) -> HsdsDirectory:
    """The whole directory as HSDS objects, each list sorted by id."""
    organizations = (await session.scalars(sa.select(Organization))).all()
    services = (await session.scalars(sa.select(Service))).all()
    org_children = await load_organization_children(session, None)
    service_children = await load_service_children(session, None)
    by_org: dict[uuid.UUID, list[HsdsService]] = {}
    for service in sorted(services, key=lambda s: str(s.id)):
        by_org.setdefault(service.organization_id, []).append(
            HsdsService(id=service.id, **service_fields(service, service_children))
        )
    return HsdsDirectory(
        organizations=[
            HsdsOrganization(
                id=organization.id,
                **organization_fields(organization, org_children),
                services=by_org.get(organization.id, []),
            )
            for organization in sorted(organizations, key=lambda o: str(o.id))
        ]
    )


def _without_empty(value: Any) -> Any:
    """The value without null, empty lists and empty objects, each object's `id` first."""
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda item: item[0] != "id")
        kept = {k: _without_empty(v) for k, v in ordered}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value


def directory_json(document: HsdsDirectory) -> str:
    """The export's text: `id` then HSDS field order, empty values left out, UTF-8 as is."""
    data = _without_empty(document.model_dump(mode="json"))
    data.setdefault("organizations", [])
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


async def export_directory(session: AsyncSession) -> str:
    """The whole directory as HSDS-shaped JSON text."""
    return directory_json(await load_directory(session))
