"""Reading, listing, changing and moving cases, with role-scoped access and the audit trail.

Access (SPEC §2) is decided by `auth.policy`: a case the caller may not read is 404; one they
may read but not change is 403. Changes need the case's current version in `If-Match` (428
without, 412 when stale); the case row is locked while it changes, so of two updates sent with
the same ETag exactly one succeeds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import (
    CaseFacts,
    CaseScope,
    case_scope,
    may_read_case,
    may_update_case,
    sees_full_id_number,
    sees_possible_duplicates,
)
from models.base import UTCDateTime
from models.case import (
    Case,
    CaseCategory,
    CaseEventOut,
    CaseList,
    CaseNote,
    CaseOut,
    CasePatch,
    CaseSummary,
    ClientOut,
    ConsentOut,
    DuplicateLink,
    DuplicateOut,
    LocationOut,
    NoteIn,
    NoteList,
    NoteOut,
    ReporterOut,
    Timeline,
    TransitionIn,
)
from models.enums import (
    CaseEventType,
    CaseStatus,
    Category,
    ClosureReason,
    ConsentStatus,
    DuplicateReason,
    DuplicateStatus,
    IdType,
    LegalBasis,
    Role,
    TargetGroup,
    Urgency,
)
from models.events import CaseEvent
from models.user import User
from service.cases.client_fields import (
    client_age,
    name_keys,
    read_birth_date,
    read_birth_year,
    read_id_number,
    read_phone,
    target_groups,
)
from service.cases.events import append_event
from service.cases.lifecycle import Refusal, check_transition, next_statuses
from service.platform.crypto import id_number_hash, mask_id_number, open_id_number, seal_id_number
from service.platform.db import dialect_name
from service.platform.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    field_error,
)
from service.platform.idempotency import StoredAnswer
from service.platform.pagination import (
    decode_int_cursor,
    decode_time_id_cursor,
    encode_cursor,
    encode_time_id_cursor,
)
from service.platform.settings import Settings
from service.thai.areas import check_location
from service.thai.dates import BANGKOK
from service.thai.names import normalise_name

# Columns whose values are personal data: their changes are recorded by name only.
PERSONAL_COLUMNS = frozenset(
    {
        "summary",
        "client_title",
        "client_first_name",
        "client_last_name",
        "client_nickname",
        "client_id_number_enc",
        "client_birth_date",
        "client_birth_year",
        "client_age_estimate",
        "client_gender",
        "client_phone",
        "client_nationality",
        "client_languages",
        "client_disability",
        "client_pregnant",
        "reporter_name",
        "reporter_phone",
        "address_text",
        "lat",
        "lon",
        "consent_recorded_by",
        "guardian_name",
    }
)
# Events naming possible duplicates: their data is shown only to those who see the matches.
POSSIBLE_DUPLICATE_EVENTS = frozenset(
    {CaseEventType.duplicate_flagged, CaseEventType.duplicate_dismissed}
)
DERIVED_COLUMNS = frozenset(
    {"client_name_key", "client_last_name_key", "client_id_hash", "client_id_last4"}
)


# --------------------------------------------------------------------------- rendering


def etag(case: Case) -> str:
    """The strong ETag of a case's current version."""
    return f'"{case.version}"'


def _facts(case: Case) -> CaseFacts:
    return CaseFacts(created_by_id=case.created_by_id, lead_id=case.lead_id)


def _id_number_for(case: Case, viewer: User, settings: Settings) -> tuple[str | None, bool]:
    if case.client_id_number_enc is None:
        return None, False
    if sees_full_id_number(viewer.role):
        return open_id_number(settings.data_key, case.client_id_number_enc, case.id), False
    return mask_id_number(case.client_id_last4), True


def _age(case: Case, today: date) -> int | None:
    return client_age(
        case.client_birth_date, case.client_birth_year, case.client_age_estimate, today
    )


def render_case(
    case: Case, *, viewer: User, settings: Settings, duplicates: list[DuplicateOut]
) -> CaseOut:
    """The case as `viewer` may see it (id numbers masked for volunteers and agencies)."""
    id_number, masked = _id_number_for(case, viewer, settings)
    today = datetime.now(BANGKOK).date()
    return CaseOut(
        id=case.id,
        reference=case.reference,
        status=case.status,
        urgency=case.urgency,
        suggested_urgency=case.suggested_urgency,
        immediate_danger=case.immediate_danger,
        categories=[Category(c) for c in case.categories],
        target_groups=[TargetGroup(g) for g in case.target_groups],
        channel=case.channel,
        summary=case.summary,
        recorded_at=case.recorded_at,
        client_reference=case.client_reference,
        client=ClientOut(
            title=case.client_title,
            first_name=case.client_first_name,
            last_name=case.client_last_name,
            nickname=case.client_nickname,
            id_type=case.client_id_type,
            id_number=id_number,
            id_number_masked=masked,
            birth_date=case.client_birth_date,
            birth_year=case.client_birth_year,
            age_estimate=case.client_age_estimate,
            age=_age(case, today),
            gender=case.client_gender,
            phone=case.client_phone,
            nationality=case.client_nationality,
            languages=list(case.client_languages),
            disability=case.client_disability,
            pregnant=case.client_pregnant,
        ),
        reporter=ReporterOut(
            relationship=case.reporter_relationship,
            name=case.reporter_name,
            phone=case.reporter_phone,
            anonymous=case.reporter_anonymous,
        ),
        location=LocationOut(
            province_code=case.province_code,
            district_code=case.district_code,
            subdistrict_code=case.subdistrict_code,
            postal_code=case.postal_code,
            address=case.address_text,
            lat=case.lat,
            lon=case.lon,
        ),
        consent=ConsentOut(
            data_collection=case.consent_data_collection,
            share_with_agencies=case.consent_share_with_agencies,
            basis=case.legal_basis,
            recorded_by=case.consent_recorded_by,
            recorded_by_id=case.consent_recorded_by_id,
            guardian_name=case.guardian_name,
        ),
        created_by=case.created_by_id,
        lead=case.lead_id,
        screened_at=case.screened_at,
        screened_by=case.screened_by_id,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
        closure_reason=case.closure_reason,
        duplicate_of=case.duplicate_of_id,
        created_at=case.created_at,
        updated_at=case.updated_at,
        version=case.version,
        possible_duplicates=duplicates,
    )


def answer_for(
    case: Case,
    *,
    viewer: User,
    settings: Settings,
    duplicates: list[DuplicateOut],
    status_code: int,
) -> StoredAnswer:
    """The exact bytes and headers of a case answer (stored for idempotent replays)."""
    body = render_case(case, viewer=viewer, settings=settings, duplicates=duplicates)
    return StoredAnswer(
        status_code=status_code,
        body=body.model_dump_json().encode(),
        headers={
            "content-type": "application/json",
            "etag": etag(case),
            "location": f"/api/v1/cases/{case.id}",
        },
    )


async def load_duplicates(
    session: AsyncSession, *, case_id: uuid.UUID, viewer: User
) -> list[DuplicateOut]:
    """Duplicate links touching a case, newest first; none for viewers who may not see them."""
    if not sees_possible_duplicates(viewer.role):
        return []
    newer = sa.orm.aliased(Case)
    older = sa.orm.aliased(Case)
    rows = await session.execute(
        sa.select(DuplicateLink, col(newer.reference), col(older.reference))
        .join(newer, col(newer.id) == col(DuplicateLink.case_id))
        .join(older, col(older.id) == col(DuplicateLink.candidate_id))
        .where(
            sa.or_(
                col(DuplicateLink.case_id) == case_id, col(DuplicateLink.candidate_id) == case_id
            )
        )
        .order_by(col(DuplicateLink.created_at).desc())
    )
    return [
        DuplicateOut(
            id=link.id,
            case_id=link.case_id,
            case_reference=case_reference,
            candidate_id=link.candidate_id,
            candidate_reference=candidate_reference,
            reasons=[DuplicateReason(r) for r in link.reasons],
            status=link.status,
            created_at=link.created_at,
            decided_at=link.decided_at,
        )
        for link, case_reference, candidate_reference in rows.all()
    ]


# --------------------------------------------------------------------------- access


async def _load(session: AsyncSession, *, user: User, case_id: uuid.UUID, lock: bool) -> Case:
    """The case if the caller may read it (locked for the transaction when `lock`), else 404."""
    case = await session.get(Case, case_id, with_for_update=lock, populate_existing=lock)
    if case is None or not may_read_case(user.id, user.role, _facts(case)):
        raise NotFound("No such case.")
    return case


async def _load_for_change(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, if_match: str | None
) -> Case:
    case = await _load(session, user=user, case_id=case_id, lock=True)
    if not may_update_case(user.id, user.role, _facts(case)):
        raise Forbidden("You may read this case but not change it.")
    check_if_match(case, if_match)
    return case


def check_if_match(case: Case, if_match: str | None) -> None:
    """428 without `If-Match`, 412 unless it names the current version."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Send the case's ETag in If-Match.",
            errors=[{"header": "If-Match", "detail": "required", "type": "missing"}],
        )
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag(case) not in tags:
        raise PreconditionFailed(
            "The case changed since you read it; read it again.",
            extra={"current_etag": etag(case)},
        )


# --------------------------------------------------------------------------- reading


async def read_case(
    session: AsyncSession, *, settings: Settings, user: User, case_id: uuid.UUID, now: datetime
) -> tuple[CaseOut, str]:
    """The case and its ETag; the read is recorded as a `viewed` event."""
    case = await _load(session, user=user, case_id=case_id, lock=True)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.viewed,
        actor_id=user.id,
        now=now,
    )
    duplicates = await load_duplicates(session, case_id=case.id, viewer=user)
    return render_case(case, viewer=user, settings=settings, duplicates=duplicates), etag(case)


async def case_timeline(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, limit: int, cursor: str | None
) -> Timeline:
    """The case's events in order, a page at a time."""
    await _load(session, user=user, case_id=case_id, lock=False)
    query = (
        sa.select(CaseEvent)
        .where(col(CaseEvent.case_id) == case_id)
        .order_by(col(CaseEvent.seq))
        .limit(limit + 1)
    )
    if cursor:
        query = query.where(col(CaseEvent.seq) > decode_int_cursor(cursor))
    events = list((await session.execute(query)).scalars())
    page = events[:limit]
    hide_matches = not sees_possible_duplicates(user.role)
    return Timeline(
        items=[
            CaseEventOut(
                seq=e.seq,
                type=e.type.value,
                actor=e.actor_id,
                occurred_at=e.occurred_at,
                changes=e.changes,
                data={} if hide_matches and e.type in POSSIBLE_DUPLICATE_EVENTS else e.data,
                hash=e.hash,
            )
            for e in page
        ],
        next_cursor=encode_cursor([page[-1].seq]) if len(events) > limit else None,
    )


# --------------------------------------------------------------------------- listing


@dataclass
class CaseFilters:
    statuses: list[CaseStatus] = field(default_factory=list)
    urgency: Urgency | None = None
    category: Category | None = None
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
    *, user: User, filters: CaseFilters, limit: int, cursor: str | None
) -> sa.Select[Case] | None:
    """The query of one page of `list_cases` (`limit + 1` rows), or None for no access."""
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
    # below), checking each one's categories.
    if filters.category is not None and scope is CaseScope.all:
        order_at, order_id = col(CaseCategory.created_at), col(CaseCategory.case_id)
    else:
        order_at, order_id = col(Case.created_at), col(Case.id)
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
    if filters.q:
        query = query.where(_search(filters.q))
    if after is not None:
        after_at, after_id = after
        query = query.where(
            sa.tuple_(order_at, order_id)
            < sa.tuple_(sa.literal(after_at, UTCDateTime()), sa.literal(after_id))
        )
    if scope is CaseScope.own:
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
        query = sa.select(Case).where(col(Case.id).in_(sa.select(mine.c.id)))
    return query.order_by(order_at.desc(), order_id.desc()).limit(limit + 1)


# A page of a list is planned for its own filter values: a prepared statement's generic plan
# (which PostgreSQL switches to after five runs) picks one index for every value, yet the
# selectivities differ by orders of magnitude (Bangkok or a small province, `closed` or `new`).
# Parallel workers cost more to start than a page of rows takes to read.
_PLAN_LIST_QUERY = sa.text(
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
    "set_config('max_parallel_workers_per_gather', '0', true)"
)


async def list_cases(
    session: AsyncSession, *, user: User, filters: CaseFilters, limit: int, cursor: str | None
) -> CaseList:
    """Cases the caller may see, newest first, filtered, one keyset page at a time."""
    query = build_case_list_query(user=user, filters=filters, limit=limit, cursor=cursor)
    if query is None:
        return CaseList(items=[])
    if dialect_name(session) == "postgresql":
        await session.execute(_PLAN_LIST_QUERY)
    rows = list((await session.execute(query)).scalars())
    page = rows[:limit]
    next_cursor = (
        encode_time_id_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None
    )
    return CaseList(items=[_summary(c) for c in page], next_cursor=next_cursor)


def _search(text: str) -> sa.ColumnElement[bool]:
    """A reference number, or the start of a client's (first or last) name."""
    cleaned = text.strip()
    if cleaned.upper().startswith("OS-"):
        return col(Case.reference) == cleaned.upper()
    key = normalise_name(cleaned)
    if not key:
        return sa.false()
    return sa.or_(
        col(Case.client_name_key).startswith(key, autoescape=True),
        col(Case.client_last_name_key).startswith(key, autoescape=True),
    )


def _summary(case: Case) -> CaseSummary:
    name = (
        " ".join(p for p in (case.client_first_name, case.client_last_name) if p)
        or case.client_nickname
    )
    return CaseSummary(
        id=case.id,
        reference=case.reference,
        status=case.status,
        urgency=case.urgency,
        categories=[Category(c) for c in case.categories],
        channel=case.channel,
        client_name=name,
        province_code=case.province_code,
        district_code=case.district_code,
        lead=case.lead_id,
        created_by=case.created_by_id,
        created_at=case.created_at,
        updated_at=case.updated_at,
        version=case.version,
    )


# --------------------------------------------------------------------------- changing


def _record(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime | date):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return value


def _apply(case: Case, changes: dict[str, Any]) -> dict[str, Any]:
    """Set columns; return the event's record of what changed (personal values withheld)."""
    recorded: dict[str, Any] = {}
    for name, value in changes.items():
        before = getattr(case, name)
        if before == value:
            continue
        setattr(case, name, value)
        if name in DERIVED_COLUMNS:
            continue
        if name in PERSONAL_COLUMNS:
            recorded[name] = {"changed": True}
        else:
            recorded[name] = [_record(before), _record(value)]
    return recorded


def _bump(case: Case, now: datetime) -> None:
    case.version += 1
    case.updated_at = now


async def update_case(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    patch: CasePatch,
    if_match: str | None,
    now: datetime,
) -> tuple[CaseOut, str]:
    """Change a case's content; one `updated` event names what changed."""
    case = await _load_for_change(session, user=user, case_id=case_id, if_match=if_match)
    if case.status is CaseStatus.closed:
        raise Conflict("A closed case is read-only; a supervisor may reopen it.")
    errors: list[dict[str, str]] = []
    today = now.astimezone(BANGKOK).date()
    changes: dict[str, Any] = {}
    sent = patch.model_dump(exclude_unset=True)
    if "summary" in sent:
        if sent["summary"] is None:
            errors.append(field_error("/summary", "the summary cannot be cleared", "null"))
        else:
            changes["summary"] = sent["summary"]

    client = sent.get("client") or {}
    simple = {
        "title": "client_title",
        "first_name": "client_first_name",
        "last_name": "client_last_name",
        "nickname": "client_nickname",
        "gender": "client_gender",
        "nationality": "client_nationality",
        "age_estimate": "client_age_estimate",
    }
    for key, column in simple.items():
        if key in client:
            changes[column] = client[key]
    for key, column in (("disability", "client_disability"), ("pregnant", "client_pregnant")):
        if key in client:
            changes[column] = bool(client[key])
    if "languages" in client:
        changes["client_languages"] = list(client["languages"] or [])
    if "phone" in client:
        changes["client_phone"] = read_phone(client["phone"], "/client/phone", errors)
    if "birth_date" in client:
        changes["client_birth_date"] = read_birth_date(
            client["birth_date"], today, "/client/birth_date", errors
        )
    if "birth_year" in client:
        changes["client_birth_year"] = read_birth_year(
            client["birth_year"], today, "/client/birth_year", errors
        )
    if "id_type" in client or "id_number" in client:
        id_type = client.get("id_type") or case.client_id_type
        changes["client_id_type"] = id_type
        if (
            "id_number" not in client
            and id_type is not case.client_id_type
            and case.client_id_number_enc is not None
        ):
            # A number is only ever stored with the type it was checked against.
            if id_type in (IdType.none, IdType.unknown):
                changes.update(client_id_number_enc=None, client_id_hash=None, client_id_last4=None)
            else:
                errors.append(
                    field_error(
                        "/client/id_number", "send the number again with its new id_type", "id_type"
                    )
                )
        if "id_number" in client:
            identity = read_id_number(id_type, client["id_number"], "/client/id_number", errors)
            if identity is None:
                changes.update(client_id_number_enc=None, client_id_hash=None, client_id_last4=None)
            else:
                changes.update(
                    client_id_number_enc=seal_id_number(
                        settings.data_key, identity.number, case.id
                    ),
                    client_id_hash=id_number_hash(settings.data_key, identity.number),
                    client_id_last4=identity.last4,
                )

    location = sent.get("location") or {}
    merged = {
        "province_code": case.province_code,
        "district_code": case.district_code,
        "subdistrict_code": case.subdistrict_code,
        "postal_code": case.postal_code,
    }
    for key in merged:
        if key in location:
            merged[key] = location[key]
    if location:
        if merged["province_code"] is None:
            errors.append(
                field_error("/location/province_code", "the province cannot be cleared", "null")
            )
        for name, message in check_location(
            merged["province_code"],
            merged["district_code"],
            merged["subdistrict_code"],
            merged["postal_code"],
        ):
            errors.append(field_error(f"/location/{name}", message, "area"))
        changes.update(merged)
        for key, column in (("address", "address_text"), ("lat", "lat"), ("lon", "lon")):
            if key in location:
                changes[column] = location[key]

    consent = sent.get("consent") or {}
    if "data_collection" in consent:
        if consent["data_collection"] is None:
            errors.append(field_error("/consent/data_collection", "cannot be cleared", "null"))
        else:
            changes["consent_data_collection"] = consent["data_collection"]
            if (
                case.legal_basis is LegalBasis.consent
                and consent["data_collection"] is not ConsentStatus.given
            ):
                changes["legal_basis"] = None
    if "share_with_agencies" in consent:
        changes["consent_share_with_agencies"] = bool(consent["share_with_agencies"])
    for key, column in (("recorded_by", "consent_recorded_by"), ("guardian_name", "guardian_name")):
        if key in consent:
            changes[column] = consent[key]
    if errors:
        raise Unprocessable("The change is not valid; see errors.", errors=errors)

    if any(k in changes for k in ("client_first_name", "client_last_name")):
        first = changes.get("client_first_name", case.client_first_name)
        last = changes.get("client_last_name", case.client_last_name)
        changes["client_name_key"], changes["client_last_name_key"] = name_keys(first, last)
    recorded = _apply(case, changes)
    groups = target_groups(
        birth_date=case.client_birth_date,
        birth_year=case.client_birth_year,
        age_estimate=case.client_age_estimate,
        disability=case.client_disability,
        pregnant=case.client_pregnant,
        today=today,
    )
    recorded.update(_apply(case, {"target_groups": groups}))
    if recorded:
        _bump(case, now)
        await append_event(
            session,
            secret=settings.data_key,
            case=case,
            type_=CaseEventType.updated,
            actor_id=user.id,
            now=now,
            changes=recorded,
        )
    await session.flush()
    duplicates = await load_duplicates(session, case_id=case.id, viewer=user)
    return render_case(case, viewer=user, settings=settings, duplicates=duplicates), etag(case)


async def _set_categories(session: AsyncSession, case: Case, categories: list[str]) -> None:
    await session.execute(sa.delete(CaseCategory).where(col(CaseCategory.case_id) == case.id))
    session.add_all(
        CaseCategory(case_id=case.id, category=Category(c), created_at=case.created_at)
        for c in categories
    )


async def _close(
    session: AsyncSession, *, user: User, case: Case, body: TransitionIn, now: datetime
) -> dict[str, Any]:
    changes: dict[str, Any] = {"closed_at": now, "closure_reason": body.closure_reason}
    if body.closure_reason is ClosureReason.duplicate:
        assert body.duplicate_of is not None
        original = await session.get(Case, body.duplicate_of)
        if (
            original is None
            or original.id == case.id
            or not may_read_case(user.id, user.role, _facts(original))
        ):
            raise Unprocessable(
                "duplicate_of must name another case you can see.",
                errors=[field_error("/duplicate_of", "no such case", "not_found")],
            )
        changes["duplicate_of_id"] = original.id
        await session.execute(
            sa.update(DuplicateLink)
            .where(
                col(DuplicateLink.case_id) == case.id,
                col(DuplicateLink.candidate_id) == original.id,
                col(DuplicateLink.status) == DuplicateStatus.open,
            )
            .values(status=DuplicateStatus.confirmed, decided_by_id=user.id, decided_at=now)
        )
    return changes


async def transition_case(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    body: TransitionIn,
    if_match: str | None,
    now: datetime,
    event_type: CaseEventType | None = None,
) -> tuple[CaseOut, str]:
    """Move a case to another status (screening and closing included).

    `event_type` names the event when the move is part of another decision (a confirmed
    duplicate); otherwise it is `screened` or `status_changed`.

    The caller's right to change the case and its `If-Match` are checked before the move
    itself, so the loser of two simultaneous moves learns that the case changed (412).
    """
    case = await _load_for_change(session, user=user, case_id=case_id, if_match=if_match)
    is_lead = case.lead_id == user.id
    try:
        check_transition(
            current=case.status,
            target=body.to,
            role=user.role,
            is_lead=is_lead,
            urgency=body.urgency or case.urgency,
            reason=body.reason,
            closure_reason=body.closure_reason,
            has_duplicate_of=body.duplicate_of is not None,
        )
    except Refusal as refusal:
        if refusal.kind == "invalid":
            raise InvalidTransition(
                refusal.message, extra={"allowed": [s.value for s in next_statuses(case.status)]}
            ) from None
        if refusal.kind == "forbidden":
            raise Forbidden(refusal.message) from None
        raise Unprocessable(
            refusal.message,
            errors=[field_error(refusal.pointer or "", refusal.message, "transition")],
        ) from None
    screening_fields = (
        body.urgency is not None or body.categories is not None or body.basis is not None
    )
    if screening_fields and body.to is not CaseStatus.screened:
        raise Unprocessable(
            "urgency, categories and basis are set when screening.",
            errors=[
                field_error("/to", "only a move to screened takes screening fields", "screening")
            ],
        )

    before = case.status
    changes: dict[str, Any] = {"status": body.to}
    event_type = event_type or CaseEventType.status_changed
    if body.to is CaseStatus.screened:
        event_type = CaseEventType.screened
        changes.update(screened_at=now, screened_by_id=user.id)
        if body.urgency is not None:
            changes["urgency"] = body.urgency
        if body.basis is not None:
            if (
                body.basis is LegalBasis.consent
                and case.consent_data_collection is not ConsentStatus.given
            ):
                raise Unprocessable(
                    "consent is not a basis when consent was not given.",
                    errors=[field_error("/basis", "consent was not given", "basis")],
                )
            changes["legal_basis"] = body.basis
        if body.categories is not None:
            categories = list(dict.fromkeys(c.value for c in body.categories))
            changes["categories"] = categories
            await _set_categories(session, case, categories)
    elif body.to is CaseStatus.closed:
        changes.update(await _close(session, user=user, case=case, body=body, now=now))
    elif body.to is CaseStatus.resolved:
        changes["resolved_at"] = now
    elif body.to is CaseStatus.in_progress:
        if before is CaseStatus.closed:
            changes.update(
                closed_at=None, closure_reason=None, duplicate_of_id=None, resolved_at=None
            )
        if before is CaseStatus.screened and case.lead_id is None:
            changes["lead_id"] = user.id
    recorded = _apply(case, changes)
    _bump(case, now)
    data: dict[str, Any] = {}
    if body.reason:
        data["reason"] = body.reason
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=event_type,
        actor_id=user.id,
        now=now,
        changes=recorded,
        data=data,
    )
    await session.flush()
    duplicates = await load_duplicates(session, case_id=case.id, viewer=user)
    return render_case(case, viewer=user, settings=settings, duplicates=duplicates), etag(case)


# --------------------------------------------------------------------------- notes


async def add_note(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    body: NoteIn,
    now: datetime,
) -> NoteOut:
    """Add a note; the event records that a note was added, not its text."""
    case = await _load(session, user=user, case_id=case_id, lock=True)
    if not may_update_case(user.id, user.role, _facts(case)):
        raise Forbidden("You may read this case but not add notes to it.")
    note = CaseNote(case_id=case.id, author_id=user.id, body=body.body, created_at=now)
    session.add(note)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.note_added,
        actor_id=user.id,
        now=now,
        data={"note_id": str(note.id)},
    )
    await session.flush()
    return NoteOut(
        id=note.id, case_id=case.id, author=user.id, body=note.body, created_at=note.created_at
    )


async def list_notes(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, limit: int, cursor: str | None
) -> NoteList:
    """Notes of a case, oldest first."""
    await _load(session, user=user, case_id=case_id, lock=False)
    query = (
        sa.select(CaseNote)
        .where(col(CaseNote.case_id) == case_id)
        .order_by(col(CaseNote.created_at), col(CaseNote.id))
        .limit(limit + 1)
    )
    if cursor:
        after_at, after_id = decode_time_id_cursor(cursor)
        query = query.where(
            sa.tuple_(col(CaseNote.created_at), col(CaseNote.id))
            > sa.tuple_(sa.literal(after_at, UTCDateTime()), sa.literal(after_id))
        )
    notes = list((await session.execute(query)).scalars())
    page = notes[:limit]
    return NoteList(
        items=[
            NoteOut(
                id=n.id, case_id=n.case_id, author=n.author_id, body=n.body, created_at=n.created_at
            )
            for n in page
        ],
        next_cursor=encode_time_id_cursor(page[-1].created_at, page[-1].id)
        if len(notes) > limit
        else None,
    )


# --------------------------------------------------------------------------- duplicates


async def decide_duplicate(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    link_id: uuid.UUID,
    confirm: bool,
    if_match: str | None,
    now: datetime,
) -> tuple[CaseOut, str]:
    """Confirm (the newer case closes as a duplicate) or dismiss a possible duplicate."""
    case = await _load(session, user=user, case_id=case_id, lock=True)
    link = await session.get(DuplicateLink, link_id, with_for_update=True)
    if link is None or link.case_id != case.id:
        raise NotFound("No such duplicate link on this case.")
    if link.status is not DuplicateStatus.open:
        raise Conflict(f"This possible duplicate was already {link.status.value}.")
    if confirm:
        return await transition_case(
            session,
            settings=settings,
            user=user,
            case_id=case.id,
            body=TransitionIn(
                to=CaseStatus.closed,
                closure_reason=ClosureReason.duplicate,
                duplicate_of=link.candidate_id,
            ),
            if_match=if_match,
            now=now,
            event_type=CaseEventType.duplicate_confirmed,
        )
    if user.role not in (Role.caseworker, Role.supervisor):
        raise Forbidden("Only caseworkers and supervisors decide on duplicates.")
    link.status = DuplicateStatus.dismissed
    link.decided_by_id = user.id
    link.decided_at = now
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.duplicate_dismissed,
        actor_id=user.id,
        now=now,
        data={"candidate": str(link.candidate_id)},
    )
    await session.flush()
    duplicates = await load_duplicates(session, case_id=case.id, viewer=user)
    return render_case(case, viewer=user, settings=settings, duplicates=duplicates), etag(case)
