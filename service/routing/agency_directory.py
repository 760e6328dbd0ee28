"""The agency directory as suggestions rank it, kept in each process and read again only after
it has changed.

Every transaction that writes a directory table through the session (an organization, a
service, their areas, languages, capacities, contacts or locations; by any route, command or
import, present or future) gives the directory a new random stamp (`directory_stamps`, one row)
just before it commits (`service.platform.stamps`, which says why a random stamp, read before
the data). A suggestion reads the stamp (one primary-key read) and ranks what the process keeps
when the stamp is the same; else it reads the whole directory again (one statement) and keeps
that. A session that has written the directory and not committed yet reads it afresh and keeps
nothing.

Decided: the directory is small (hundreds of services, changed by a few staff a day): a process
keeps the whole of it, indexed by area code.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session as SyncSession

from models.agency import (
    Address,
    Contact,
    DirectoryStamp,
    Language,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
)
from models.enums import AgencyFilterReason, AgencyReason, ServiceStatus
from service.platform.stamps import Stamp
from service.routing.agency_ranking import THAILAND, AgencyService, CaseNeeds

_DIRECTORY_MODELS: tuple[type[Any], ...] = (
    Organization,
    Service,
    ServiceArea,
    Language,
    ServiceCapacity,
    Location,
    Address,
    ServiceAtLocation,
    Contact,
    Phone,
)

services = Service.__table__  # type: ignore[attr-defined]
areas = ServiceArea.__table__  # type: ignore[attr-defined]
languages = Language.__table__  # type: ignore[attr-defined]
capacities = ServiceCapacity.__table__  # type: ignore[attr-defined]
organizations = Organization.__table__  # type: ignore[attr-defined]

STAMP = Stamp(DirectoryStamp.__table__, models=_DIRECTORY_MODELS)  # type: ignore[attr-defined]
DIRECTORY_TABLES = STAMP.tables
# For code writing the directory with plain SQL on PostgreSQL (a new random stamp).
NEW_STAMP_SQL = STAMP.new_stamp_sql


def language_code(text: str) -> str:
    """The primary language subtag of a code such as `th` or `my-MM`, lower case."""
    return text.strip().lower().split("-")[0]


def area_codes(needs: CaseNeeds) -> list[str]:
    """The area codes a service may list to cover the case: its subdistrict, district and
    province, all of Thailand, and for a case abroad its country."""
    codes = [needs.subdistrict_code, needs.district_code, needs.province_code, THAILAND]
    if needs.abroad:
        codes.append(needs.country_code)
    return [code for code in codes if code]


@dataclass(frozen=True, slots=True)
class Directory:
    """The services that take referrals (active and accepting), found by the area codes they
    list; those that do not are only counted."""

    stamp: str | None
    referable: tuple[AgencyService, ...]
    by_area: Mapping[str, tuple[int, ...]]  # area code -> positions in `referable`
    abroad: tuple[int, ...]  # positions of the services for people abroad wherever they are
    deadlines: Mapping[uuid.UUID, Mapping[str, int]]  # service -> urgency -> hours
    inactive: int
    not_accepting: int

    def candidates(self, needs: CaseNeeds) -> list[tuple[AgencyService, AgencyReason]]:
        """The services that take referrals and cover the case's area (or, for a case abroad,
        serve people abroad), each with the closest area it covers, as
        `service.routing.agency_ranking.area_match` decides: abroad, then the case's
        subdistrict, district, province, then all of Thailand."""
        found: dict[int, AgencyReason] = {}
        if needs.abroad:
            for position in (*self.abroad, *self.by_area.get(needs.country_code, ())):
                found.setdefault(position, AgencyReason.abroad)
        for code, reason in (
            (needs.subdistrict_code, AgencyReason.subdistrict),
            (needs.district_code, AgencyReason.district),
            (needs.province_code, AgencyReason.province),
            (THAILAND, AgencyReason.nationwide),
        ):
            if code is not None:
                for position in self.by_area.get(code, ()):
                    found.setdefault(position, reason)
        return [(self.referable[position], found[position]) for position in sorted(found)]

    def left_out(self, candidates: int) -> dict[AgencyFilterReason, int]:
        """The services left out before ranking, by reason, when `candidates` remain."""
        return {
            AgencyFilterReason.inactive: self.inactive,
            AgencyFilterReason.not_accepting_referrals: self.not_accepting,
            AgencyFilterReason.outside_area: len(self.referable) - candidates,
        }


def _codes(table: sa.Table, column: sa.Column[str]) -> Any:
    """A service's codes in `table` (area or language codes, which hold no space), joined by
    spaces, read through the table's index on `service_id`."""
    return (
        sa.select(sa.func.aggregate_strings(column, " "))
        .where(table.c.service_id == services.c.id)
        .scalar_subquery()
    )


_ROOM = (
    sa.select(sa.func.max(capacities.c.available))
    .where(capacities.c.service_id == services.c.id)
    .scalar_subquery()
)
_SERVICES = sa.select(
    services.c.id,
    services.c.organization_id,
    services.c.name,
    services.c.status,
    services.c.accepts_referrals,
    services.c.categories,
    services.c.target_groups,
    services.c.serves_abroad,
    services.c.minimum_age,
    services.c.maximum_age,
    services.c.response_deadline_hours,
    organizations.c.name.label("organization_name"),
    _codes(areas, areas.c.area_code).label("area_codes"),
    _codes(languages, languages.c.code).label("language_codes"),
    _ROOM.label("room"),
).join(organizations, organizations.c.id == services.c.organization_id)


async def read_directory(session: AsyncSession, *, stamp: str | None) -> Directory:
    """Every service of the directory, in one statement; `stamp` is what was read before."""
    services: list[AgencyService] = []
    deadlines: dict[uuid.UUID, Mapping[str, int]] = {}
    for row in await session.execute(_SERVICES):
        services.append(
            AgencyService(
                service_id=row.id,
                organization_id=row.organization_id,
                organization_name=row.organization_name,
                name=row.name,
                status=ServiceStatus(row.status),
                accepts_referrals=row.accepts_referrals,
                categories=frozenset(row.categories),
                target_groups=frozenset(row.target_groups),
                area_codes=frozenset((row.area_codes or "").split()),
                serves_abroad=row.serves_abroad,
                minimum_age=row.minimum_age,
                maximum_age=row.maximum_age,
                languages=frozenset(map(language_code, (row.language_codes or "").split())),
                capacity_available=row.room,
            )
        )
        deadlines[row.id] = dict(row.response_deadline_hours or {})
    return build_directory(services, stamp=stamp, deadlines=deadlines)


def build_directory(
    services: Iterable[AgencyService],
    *,
    stamp: str | None = None,
    deadlines: Mapping[uuid.UUID, Mapping[str, int]] | None = None,
) -> Directory:
    """The directory of `services`: those that take referrals indexed by the area codes they
    list, the others counted."""
    referable: list[AgencyService] = []
    by_area: dict[str, list[int]] = {}
    abroad: list[int] = []
    inactive = not_accepting = 0
    for service in services:
        if service.status is not ServiceStatus.active:
            inactive += 1
            continue
        if not service.accepts_referrals:
            not_accepting += 1
            continue
        position = len(referable)
        referable.append(service)
        for code in service.area_codes:
            by_area.setdefault(code, []).append(position)
        if service.serves_abroad:
            abroad.append(position)
    return Directory(
        stamp=stamp,
        referable=tuple(referable),
        by_area={code: tuple(positions) for code, positions in by_area.items()},
        abroad=tuple(abroad),
        deadlines=deadlines or {},
        inactive=inactive,
        not_accepting=not_accepting,
    )


# What this process read last: at most one directory.
_kept: list[Directory] = []


async def current_directory(session: AsyncSession) -> Directory:
    """The directory as committed: what this process keeps when its stamp is still the
    database's, else read now (and kept). A session with uncommitted directory changes reads
    it afresh and keeps nothing."""
    if STAMP.written(session):
        return await read_directory(session, stamp=None)
    return await directory_at(session, stamp=await STAMP.read(session))


async def directory_at(session: AsyncSession, *, stamp: str | None) -> Directory:
    """`current_directory` with the stamp already read (`STAMP.column()` in another
    statement, before anything of the directory)."""
    if STAMP.written(session):
        return await read_directory(session, stamp=None)
    if stamp is not None and _kept and _kept[0].stamp == stamp:
        return _kept[0]
    directory = await read_directory(session, stamp=stamp)
    if stamp is not None:
        _kept[:] = [directory]
    return directory


def forget_directory() -> None:
    """Read the directory again at the next use (a test ended)."""
    _kept.clear()


def written_directory(session: SyncSession | AsyncSession) -> bool:
    """Whether the session's transaction has changed the directory and not committed yet."""
    return STAMP.written(session)
