"""Possible duplicates among open cases: same id number, same phone, or a similar name in
the same district. Found at intake, stored as links, listed on the case for staff only, and
confirmed or dismissed by a caseworker (`service.cases.duplicate_decisions`).

A restricted case (PDPA s.32, s.34) is kept but not used: it is never a candidate, and a link
made before its restriction shows to supervisors only (everyone else would learn from it that
the case exists and is about the same person).

Every open case is compared, however old, and none is read to be compared: one statement asks
the indexes (`ix_cases_client_id_hash`, `ix_cases_client_phone` and, per name key, the partial
`ix_cases_open_district_<key>`) for the few open cases sharing the id hash, the phone, or a
name part's sound or skeleton key in the district, with only the columns the decision needs;
`service.thai.names.names_match` then scores those names exactly. PostgreSQL's trigram
similarity is not used: the keys already find spelling variants, and a trigram index would be
searched across every district and updated (GIN) on every intake.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import sees_possible_duplicates, sees_restricted
from models.base import UTCDateTime, new_id
from models.case import DUPLICATE_NAME_KEYS, Case, DuplicateLink, DuplicateList, DuplicateOut
from models.enums import DuplicateReason, DuplicateStatus
from models.user import User
from service.cases.loading import load_case
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.thai.names import PersonName, names_match

# Open cases sharing a common name part in a busy district can be many; the first this many
# found are scored. Ids and phones are matched before names in the ranking below.
CANDIDATE_LIMIT = 100
MAX_LINKS = 20
# The literal text of the partial indexes' predicate, so the planner can use them whatever
# plan it caches (a bound parameter would not prove it).
OPEN = sa.text("cases.status <> 'closed'")


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    """An open case that may be about the same person, and why."""

    id: uuid.UUID
    reference: str
    created_at: datetime
    reasons: frozenset[DuplicateReason]


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which terms a candidate query has: the statement for each shape is built once."""

    by_id: bool
    by_phone: bool
    by_district: bool
    name_keys: tuple[str, ...]


def _candidate_terms(
    columns: Mapping[str, Any], id_hashes: Sequence[str]
) -> tuple[_Shape, dict[str, Any]] | None:
    """The shape of a new case's candidate query and the values it is run with."""
    phone = columns.get("client_phone")
    district = columns.get("district_code")
    values: dict[str, Any] = {}
    if id_hashes:
        values["id_hashes"] = list(id_hashes)
    if phone:
        values["phone"] = phone
    if district:
        values["district"] = district
    name_keys: list[str] = []
    if district and columns.get("client_name_key"):
        for key in DUPLICATE_NAME_KEYS:
            value = columns.get(f"client_{key}")
            if value:
                name_keys.append(key)
                values[key] = value
    if not (id_hashes or phone or name_keys):
        return None
    shape = _Shape(bool(id_hashes), bool(phone), bool(district), tuple(name_keys))
    return shape, values


@lru_cache(maxsize=64)
def _candidate_statement(shape: _Shape) -> sa.Select[Any]:
    """The candidate query of one shape, with bound parameters (see `_candidate_terms`)."""
    district_code = col(Case.district_code)
    same_id = col(Case.client_id_hash).in_(sa.bindparam("id_hashes", expanding=True))
    same_phone = col(Case.client_phone) == sa.bindparam("phone")
    same_district = district_code == sa.bindparam("district")
    terms: list[sa.ColumnElement[bool]] = []
    if shape.by_id:
        terms.append(same_id)
    if shape.by_phone:
        terms.append(same_phone)
    for key in shape.name_keys:
        column = Case.__table__.c[f"client_{key}"]  # type: ignore[attr-defined]
        terms.append(sa.and_(same_district, column == sa.bindparam(key)))
    return (
        sa.select(
            col(Case.id),
            col(Case.reference),
            col(Case.created_at),
            same_id if shape.by_id else sa.false(),
            same_phone if shape.by_phone else sa.false(),
            same_district if shape.by_district else sa.false(),
            col(Case.client_name_key),
            *(Case.__table__.c[f"client_{key}"] for key in DUPLICATE_NAME_KEYS),  # type: ignore[attr-defined]
        )
        .where(OPEN, col(Case.restricted_at).is_(None), sa.or_(*terms))
        .limit(CANDIDATE_LIMIT)
    )


def candidate_query(
    columns: Mapping[str, Any], *, id_hashes: Sequence[str] = ()
) -> sa.Select[Any] | None:
    """The one indexed query for the open cases that may match a new case's `columns`, with
    its values bound; `id_hashes` are the id number's lookup hashes under every configured
    data key."""
    terms = _candidate_terms(columns, id_hashes)
    if terms is None:
        return None
    shape, values = terms
    return _candidate_statement(shape).params(**values)


def rank_duplicates(name: PersonName | None, rows: list[sa.Row[Any]]) -> list[PossibleDuplicate]:
    """The candidates that match, most reasons first, then the oldest (pure)."""
    found: list[PossibleDuplicate] = []
    for row in rows:
        case_id, reference, created_at, same_id, same_phone, same_district, key, *keys = tuple(row)
        reasons = set()
        if same_id:
            reasons.add(DuplicateReason.id_number)
        if same_phone:
            reasons.add(DuplicateReason.phone)
        if (
            same_district
            and name is not None
            and names_match(
                name, PersonName(key, **dict(zip(DUPLICATE_NAME_KEYS, keys, strict=True)))
            )
        ):
            reasons.add(DuplicateReason.name)
        if reasons:
            found.append(PossibleDuplicate(case_id, reference, created_at, frozenset(reasons)))
    found.sort(key=lambda d: (-len(d.reasons), d.created_at, d.id))
    return found[:MAX_LINKS]


async def find_possible_duplicates(
    session: AsyncSession,
    *,
    columns: Mapping[str, Any],
    id_hashes: Sequence[str] = (),
    name: PersonName | None,
) -> list[PossibleDuplicate]:
    """Open cases that may be about the person a new case's `columns` describe."""
    terms = _candidate_terms(columns, id_hashes)
    if terms is None:
        return []
    shape, values = terms
    rows = (await session.execute(_candidate_statement(shape), values)).all()
    return rank_duplicates(name, list(rows))


@dataclass(frozen=True, slots=True)
class StoredLink:
    """A link of a new case to a possible duplicate: what the new case's answer shows of it."""

    id: uuid.UUID
    case_id: uuid.UUID
    candidate_id: uuid.UUID
    reasons: list[str]
    created_at: datetime


def new_links(
    *, case_id: uuid.UUID, found: list[PossibleDuplicate], now: datetime
) -> list[StoredLink]:
    """A link per possible duplicate of the new case `case_id`, in rank order (pure)."""
    return [
        StoredLink(
            id=new_id(),
            case_id=case_id,
            candidate_id=duplicate.id,
            reasons=sorted(r.value for r in duplicate.reasons),
            created_at=now,
        )
        for duplicate in found
    ]


def link_values(links: list[StoredLink]) -> list[dict[str, Any]]:
    """The `case_duplicates` rows of new links: open, undecided."""
    return [
        {
            "id": link.id,
            "case_id": link.case_id,
            "candidate_id": link.candidate_id,
            "reasons": link.reasons,
            "status": DuplicateStatus.open,
            "decided_by_id": None,
            "decided_at": None,
            "created_at": link.created_at,
        }
        for link in links
    ]


# The table's own INSERT (not the ORM's bulk path): the rows are plain values.
INSERT_LINKS = sa.insert(DuplicateLink.__table__)  # type: ignore[attr-defined]


def links_shown(
    links: list[StoredLink], found: list[PossibleDuplicate], *, case_reference: str, viewer: User
) -> list[DuplicateOut]:
    """The new case's links as `viewer` may see them, in rank order."""
    if not sees_possible_duplicates(viewer.role):
        return []
    return [
        DuplicateOut(
            id=link.id,
            case_id=link.case_id,
            case_reference=case_reference,
            candidate_id=link.candidate_id,
            candidate_reference=duplicate.reference,
            reasons=[DuplicateReason(r) for r in link.reasons],
            status=DuplicateStatus.open,
            created_at=link.created_at,
            decided_at=None,
        )
        for link, duplicate in zip(links, found, strict=True)
    ]


# The links a case's own answer lists, newest first: a person reported again and again can be
# linked to hundreds of cases, and the case stays one page to read; the rest are paged by
# `GET /cases/{id}/duplicates` (`list_duplicates`).
DETAIL_DUPLICATES = 20

# Built once: an alias made per request costs more than the whole query it serves.
_newer = sa.orm.aliased(Case)
_older = sa.orm.aliased(Case)


def _touching_case() -> sa.Subquery:
    """The links where `:case_id` is the newer case, then those where it is the older one:
    each half through its own index (one `OR` over both columns let PostgreSQL read the whole
    table once a few cases had gathered hundreds of links)."""
    link = DuplicateLink.__table__  # type: ignore[attr-defined]
    return sa.union_all(
        sa.select(link).where(link.c.case_id == sa.bindparam("case_id")),
        sa.select(link).where(link.c.candidate_id == sa.bindparam("case_id")),
    ).subquery("links")


_LINKS = _touching_case()


def _links_statement(*, shows_restricted: bool) -> sa.Select[*tuple[Any, ...]]:
    """The links touching `:case_id`, newest first, each with how many there are in all (for
    the viewer: links to a restricted case only for those who see restricted cases)."""
    statement = (
        sa.select(
            _LINKS.c.id,
            _LINKS.c.case_id,
            col(_newer.reference),
            _LINKS.c.candidate_id,
            col(_older.reference),
            _LINKS.c.reasons,
            _LINKS.c.status,
            _LINKS.c.created_at,
            _LINKS.c.decided_at,
            sa.func.count().over().label("total"),
        )
        .join(_newer, col(_newer.id) == _LINKS.c.case_id)
        .join(_older, col(_older.id) == _LINKS.c.candidate_id)
        .order_by(_LINKS.c.created_at.desc(), _LINKS.c.id.desc())
    )
    if not shows_restricted:
        statement = statement.where(
            col(_newer.restricted_at).is_(None), col(_older.restricted_at).is_(None)
        )
    return statement


_LINKS_OF_CASE = {shows: _links_statement(shows_restricted=shows) for shows in (False, True)}


@dataclass(frozen=True, slots=True)
class ShownDuplicates:
    """The first links of a case a viewer may see, and how many they may see in all."""

    items: list[DuplicateOut]
    total: int


def _link_out(row: Any) -> DuplicateOut:
    return DuplicateOut(
        id=row[0],
        case_id=row[1],
        case_reference=row[2],
        candidate_id=row[3],
        candidate_reference=row[4],
        reasons=[DuplicateReason(r) for r in row[5]],
        status=row[6],
        created_at=row[7],
        decided_at=row[8],
    )


async def load_duplicates(
    session: AsyncSession, *, case_id: uuid.UUID, viewer: User, limit: int = DETAIL_DUPLICATES
) -> ShownDuplicates:
    """The newest `limit` duplicate links touching a case and their number: none for viewers
    who may not see them, and those to a restricted case for supervisors only."""
    if not sees_possible_duplicates(viewer.role):
        return ShownDuplicates([], 0)
    statement = _LINKS_OF_CASE[sees_restricted(viewer.role)].limit(limit)
    rows = (await session.execute(statement, {"case_id": case_id})).all()
    return ShownDuplicates([_link_out(row) for row in rows], rows[0].total if rows else 0)


async def list_duplicates(
    session: AsyncSession,
    *,
    user: User,
    case_id: uuid.UUID,
    limit: int,
    cursor: str | None,
) -> DuplicateList:
    """A page of the duplicate links touching a case the caller may read, newest first."""
    await load_case(session, user=user, case_id=case_id, lock=False)
    statement = _LINKS_OF_CASE[sees_restricted(user.role)].limit(limit + 1)
    if cursor:
        after_at, after_id = decode_time_id_cursor(cursor)
        statement = statement.where(
            sa.tuple_(_LINKS.c.created_at, _LINKS.c.id)
            < sa.tuple_(sa.literal(after_at, UTCDateTime()), sa.literal(after_id))
        )
    rows = (await session.execute(statement, {"case_id": case_id})).all()
    page = rows[:limit]
    last = page[-1] if page else None
    return DuplicateList(
        items=[_link_out(row) for row in page],
        next_cursor=encode_time_id_cursor(last.created_at, last.id)
        if last is not None and len(rows) > limit
        else None,
    )
