"""The case list: which cases a caller sees, how the filters become one query, and its pages.

Every filter and the common pairs of them read through an index, newest first, one keyset page
at a time (`tests/service/cases/test_list_query_plans.py` checks the plans on PostgreSQL;
`bench/explain_cases.py` measures them on a million cases). A category filter walks the
`case_categories` rows (see `service.cases.categories`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import col

from auth.policy import CaseScope, case_scope, sees_restricted
from models.base import UTCDateTime
from models.case import Case, CaseCategory, CaseList, CaseSummary
from models.enums import CaseStatus, Category, Urgency
from models.user import User
from service.platform.crypto import id_number_hashes
from service.platform.db import dialect_name
from service.platform.errors import Unprocessable
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.reference_data.countries import HOME_COUNTRY
from service.thai.ids import normalise_thai_id
from service.thai.names import normalise_name
from service.thai.phones import normalise_phone


@dataclass
class CaseFilters:
    """The filters of `GET /cases`, as the router read them from the query string."""

    statuses: list[CaseStatus] = field(default_factory=list)
    urgency: Urgency | None = None
    category: Category | None = None
    country_code: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    lead: str | None = None  # a user id, "me" or "none"
    reporter: str | None = None  # a user id or "me"
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None


def _user_ref(value: str, me: uuid.UUID, parameter: str) -> uuid.UUID:
    if value == "me":
        return me
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Unprocessable(
            f"{parameter} is a user id or 'me'.",
            errors=[{"parameter": parameter, "detail": "a user id or 'me'", "type": "uuid"}],
        ) from None


def build_case_list_query(
    *,
    user: User,
    filters: CaseFilters,
    limit: int,
    cursor: str | None,
    secret: str | None = None,
) -> sa.Select[Case] | None:
    """The query of one page of `list_cases` (`limit + 1` rows), or None for no access;
    without the data key (`secret`) an id number in `q` is not looked up."""
    lead_id = (
        _user_ref(filters.lead, user.id, "lead") if filters.lead not in (None, "none") else None
    )
    reporter_id = _user_ref(filters.reporter, user.id, "reporter") if filters.reporter else None
    after = decode_time_id_cursor(cursor) if cursor else None
    scope = case_scope(user.role)
    if scope is CaseScope.none:
        return None
    # Newest first. A category row carries its case's created_at, so a category list can walk
    # the category's own index in order; a volunteer's list walks their own cases instead (see
    # `_own_cases`), checking each one's categories.
    if filters.category is not None and scope is CaseScope.all:
        order_at, order_id = col(CaseCategory.created_at), col(CaseCategory.case_id)
    else:
        order_at, order_id = col(Case.created_at), col(Case.id)
    search = parse_search(filters.q, secret=secret) if filters.q else None
    query = _filtered(
        filters, search=search, lead_id=lead_id, reporter_id=reporter_id, order_at=order_at
    )
    if after is not None:
        after_at, after_id = after
        query = query.where(
            sa.tuple_(order_at, order_id)
            < sa.tuple_(sa.literal(after_at, UTCDateTime()), sa.literal(after_id))
        )
    if not sees_restricted(user.role):
        query = query.where(col(Case.restricted_at).is_(None))
    # `lead=me` or `reporter=me` already keeps to the caller's own cases: the filter alone walks
    # its index. Merged with "reported by me" it would read every case a busy volunteer ever
    # reported to find the few they lead.
    if scope is CaseScope.own and user.id not in (lead_id, reporter_id):
        query = _own_cases(query, user=user, order=(order_at, order_id), limit=limit)
    elif search is not None and search.name_key is not None and filters.category is None:
        query = _page_of_ids(query, order=(order_at, order_id), limit=limit)
    return query.order_by(order_at.desc(), order_id.desc()).limit(limit + 1)


def _page_of_ids(
    query: sa.Select[Case], *, order: tuple[Mapped[datetime], Mapped[uuid.UUID]], limit: int
) -> sa.Select[Case]:
    """The cases of one page of `query`, found as a page of ids first.

    A name search: a common name matches a few per cent of all cases, so the newest page is
    found by walking cases newest first and checking each one's name. The newest-first index
    carries the name keys and the restriction time on PostgreSQL, so the walk for the ids
    reads the index alone; only the page's own cases are then read, by id."""
    order_at, order_id = order
    ids = (
        query.with_only_columns(col(Case.id))
        .order_by(order_at.desc(), order_id.desc())
        .limit(limit + 1)
        .subquery()
    )
    return sa.select(Case).where(col(Case.id).in_(sa.select(ids.c.id)))


def _filtered(
    filters: CaseFilters,
    *,
    search: Search | None,
    lead_id: uuid.UUID | None,
    reporter_id: uuid.UUID | None,
    order_at: Mapped[datetime],
) -> sa.Select[Case]:
    """Cases matching the filters, in no order yet."""
    if filters.category is not None:
        query = (
            sa.select(Case)
            .join(CaseCategory, col(CaseCategory.case_id) == col(Case.id))
            .where(col(CaseCategory.category) == filters.category)
        )
    else:
        query = sa.select(Case)
    if filters.statuses:
        query = query.where(col(Case.status).in_(filters.statuses))
    if filters.urgency is not None:
        query = query.where(col(Case.urgency) == filters.urgency)
    if filters.country_code:
        query = query.where(col(Case.country_code) == filters.country_code)
        if filters.country_code != HOME_COUNTRY:
            # Lets the query read the index of cases abroad (a partial index).
            query = query.where(col(Case.country_code) != HOME_COUNTRY)
    if filters.province_code:
        query = query.where(col(Case.province_code) == filters.province_code)
    if filters.district_code:
        query = query.where(col(Case.district_code) == filters.district_code)
    if filters.lead == "none":
        query = query.where(col(Case.lead_id).is_(None))
    elif lead_id is not None:
        query = query.where(col(Case.lead_id) == lead_id)
    if reporter_id is not None:
        query = query.where(col(Case.created_by_id) == reporter_id)
    if filters.created_from is not None:
        query = query.where(order_at >= filters.created_from)
    if filters.created_to is not None:
        query = query.where(order_at < filters.created_to)
    if search is not None:
        query = query.where(_search(search))
    return query


def _own_cases(
    query: sa.Select[Case],
    *,
    user: User,
    order: tuple[Mapped[datetime], Mapped[uuid.UUID]],
    limit: int,
) -> sa.Select[Case]:
    """The cases of `query` the user reported or leads, for one page."""
    order_at, order_id = order
    # "Reported by me OR led by me" as two branches, each walking its own
    # (user, created_at, id) index newest first for one page, then merged: an OR of the two
    # columns would read and sort every case of the user. The lead branch leaves out the
    # cases the user also reported, so no case comes twice.
    branches = [
        query.where(condition)
        .with_only_columns(col(Case.id))
        .order_by(order_at.desc(), order_id.desc())
        .limit(limit + 1)
        .subquery()
        for condition in (
            col(Case.created_by_id) == user.id,
            sa.and_(col(Case.lead_id) == user.id, col(Case.created_by_id) != user.id),
        )
    ]
    mine = sa.union_all(*(sa.select(branch.c.id) for branch in branches)).subquery()
    return sa.select(Case).where(col(Case.id).in_(sa.select(mine.c.id)))


# A page of a list is planned for its own filter values: a prepared statement's generic plan
# (which PostgreSQL switches to after five runs) picks one index for every value, yet the
# selectivities differ by orders of magnitude (Bangkok or a small province, `closed` or `new`).
# Parallel workers cost more to start than a page of rows takes to read.
_PLAN_LIST_QUERY = sa.text(
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
    "set_config('max_parallel_workers_per_gather', '0', true)"
)


async def list_cases(
    session: AsyncSession,
    *,
    user: User,
    filters: CaseFilters,
    limit: int,
    cursor: str | None,
    secret: str | None = None,
) -> CaseList:
    """Cases the caller may see, newest first, filtered, one keyset page at a time."""
    query = build_case_list_query(
        user=user, filters=filters, limit=limit, cursor=cursor, secret=secret
    )
    if query is None:
        return CaseList(items=[])
    if dialect_name(session) == "postgresql":
        await session.execute(_PLAN_LIST_QUERY)
    # Only the columns a list row shows, not whole cases: a page is 51 rows of ~80 columns.
    rows = (await session.execute(query.with_only_columns(*_SUMMARY_COLUMNS))).all()
    page = [_summary(row) for row in rows[:limit]]
    next_cursor = (
        encode_time_id_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None
    )
    return CaseList(items=page, next_cursor=next_cursor)


# What may be a phone number typed by a person: digits with spaces, dashes, brackets, a plus.
_PHONE_LIKE = re.compile(r"^\+?[0-9 ()\-]{6,24}$")


@dataclass(frozen=True, slots=True)
class Search:
    """What `q` asks for: a reference, a person by id number or phone, or a name's start."""

    reference: str | None = None
    id_hashes: tuple[str, ...] = ()
    phone: str | None = None
    name_key: str | None = None


def parse_search(text: str, *, secret: str | None) -> Search:
    """Read `q`: `OS-...` is a reference; a valid Thai id number is looked up through its keyed
    hashes (under every configured data key, so a rotation in progress still finds it; needs
    the data key, `secret`); a phone number through its E.164 form; anything else is the start
    of a name. Never a scan of decrypted values."""
    cleaned = text.strip()
    if cleaned.upper().startswith("OS-"):
        return Search(reference=cleaned.upper())
    if secret is not None:
        try:
            number = normalise_thai_id(cleaned)
        except ValueError:
            number = None
        if number is not None:
            return Search(id_hashes=tuple(id_number_hashes(secret, number)))
    if _PHONE_LIKE.match(cleaned):
        try:
            return Search(phone=normalise_phone(cleaned))
        except ValueError:
            pass
    return Search(name_key=normalise_name(cleaned) or None)


def _search(search: Search) -> sa.ColumnElement[bool]:
    """The condition for one parsed `q`, each through its own index."""
    if search.reference is not None:
        return col(Case.reference) == search.reference
    if search.id_hashes:
        return col(Case.client_id_hash).in_(search.id_hashes)
    if search.phone is not None:
        return col(Case.client_phone) == search.phone
    if not search.name_key:
        return sa.false()
    return sa.or_(
        col(Case.client_name_key).startswith(search.name_key, autoescape=True),
        col(Case.client_last_name_key).startswith(search.name_key, autoescape=True),
    )


_SUMMARY_COLUMNS = (
    col(Case.id),
    col(Case.reference),
    col(Case.status),
    col(Case.urgency),
    col(Case.categories),
    col(Case.channel),
    col(Case.client_first_name),
    col(Case.client_last_name),
    col(Case.client_nickname),
    col(Case.country_code),
    col(Case.city),
    col(Case.province_code),
    col(Case.district_code),
    col(Case.lead_id),
    col(Case.created_by_id),
    col(Case.created_at),
    col(Case.updated_at),
    col(Case.version),
)


def _summary(row: sa.Row[*tuple[Any, ...]]) -> CaseSummary:
    (
        case_id,
        reference,
        status,
        urgency,
        categories,
        channel,
        first_name,
        last_name,
        nickname,
        country_code,
        city,
        province_code,
        district_code,
        lead_id,
        created_by_id,
        created_at,
        updated_at,
        version,
    ) = row
    name = " ".join(p for p in (first_name, last_name) if p) or nickname
    return CaseSummary(
        id=case_id,
        reference=reference,
        status=status,
        urgency=urgency,
        categories=[Category(c) for c in categories],
        channel=channel,
        client_name=name,
        country_code=country_code,
        city=city,
        province_code=province_code,
        district_code=district_code,
        lead=lead_id,
        created_by=created_by_id,
        created_at=created_at,
        updated_at=updated_at,
        version=version,
    )
