"""The helpers as ranking reads them, kept in each process per province and read again only
after a change.

Ranking a case looks at every helper with a service area in the case's province (a Bangkok case:
over a thousand of 5,000): their account, profile, service areas there and stored load
(`service.routing.load`). Reading and building them took longer than ranking them, and they
change far less often than they are read. So each process keeps, per province it has ranked,
the province's helpers built once (`service.routing.ranking.HelperGroup`), and the number of
helpers in all (those elsewhere are counted as out of the case's area, never read).

Every transaction that changes what ranking reads of a helper gives the helpers a new random
stamp (`helper_stamps`, one row) just before it commits (`service.platform.stamps`, which says
why a random stamp, read before the data): a new or deleted account, profile or service area;
an account's role, activity or name; any profile field ranking reads (availability, leave,
skills, languages, capacity, card, last assignment, load); every statement writing these tables
outside the ORM, the load recount among them (this module imports `service.routing.load` first,
so that the recount, which runs just before commit, is noted before the stamp is renewed). A
ranking reads the stamp (with the case's earlier offers, in one statement); while it is
unchanged the process ranks what it keeps, else it drops everything and reads each province
again when a case needs it (one statement). A session that has written helpers and not
committed yet reads them afresh and keeps nothing.

Decided:
- The load is kept too. A lead taken or a case closed renews the stamp, so the next ranking
  reads the province again: at a help center's pace (a few assignments a minute) most rankings
  find the helpers kept; a burst of assignments costs what a ranking cost before the helpers
  were kept.
- Whether a helper declined the case or let an offer of it expire is the case's, not the
  helper's: it is read live with each ranking (`service.routing.batch_ranking`).
- Logging in, a password change and other account writes through the ORM that ranking does not
  read leave the stamp as it is.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session as SyncSession
from sqlalchemy.orm.attributes import get_history
from sqlmodel import col

import service.routing.load  # noqa: F401  (its before_commit listener must run first)
from models.enums import Role
from models.routing import HelperArea, HelperProfile, HelperStamp
from models.user import User
from service.platform.stamps import Stamp
from service.routing.helper_group import HelperGroup
from service.routing.ranking import Helper, normalise_language

# What ranking reads of an account and a profile: a change of another field (a login, a new
# password, the pending offers count) keeps the stamp.
_ACCOUNT_FIELDS = ("role", "is_active", "display_name")
_PROFILE_FIELDS = (
    "available",
    "leave_until",
    "skills",
    "languages",
    "capacity",
    "card_expires_on",
    "last_assigned_at",
    "open_cases_led",
)


def _read_by_ranking(target: Any) -> bool:
    """Whether a flushed change of this object changes what ranking reads."""
    if isinstance(target, User):
        names: Iterable[str] = _ACCOUNT_FIELDS
    elif isinstance(target, HelperProfile):
        names = _PROFILE_FIELDS
    else:
        return True
    return any(get_history(target, name).has_changes() for name in names)


STAMP = Stamp(
    HelperStamp.__table__,  # type: ignore[attr-defined]
    models=(User, HelperProfile, HelperArea),
    changes=_read_by_ranking,
)
HELPER_TABLES = STAMP.tables
# For code writing helpers with plain SQL on PostgreSQL (a new random stamp).
NEW_STAMP_SQL = STAMP.new_stamp_sql


def profile_columns() -> tuple[Any, ...]:
    """What ranking needs of a helper's account and profile, in the order of `helper_of`'s
    parameters: the skills and languages as their JSON text (`_skills`, `_languages`), the load
    as stored (`service.routing.load`)."""
    return (
        col(User.display_name),
        col(User.role),
        col(User.is_active),
        col(HelperProfile.available),
        col(HelperProfile.leave_until),
        sa.cast(col(HelperProfile.skills), sa.Text).label("skills"),
        sa.cast(col(HelperProfile.languages), sa.Text).label("languages"),
        col(HelperProfile.capacity),
        col(HelperProfile.card_expires_on),
        col(HelperProfile.last_assigned_at),
        col(HelperProfile.open_cases_led).label("load"),
    )


_HELPER_COUNT = sa.select(sa.func.count()).select_from(HelperProfile)


def _province_helpers_statement() -> sa.Select[*tuple[Any, ...]]:
    """One row per helper and province of the list `:province_codes` where they have a service
    area: the province, those areas' codes (space-separated), the helper's profile, account
    and stored load, and the number of helper profiles in all. Plain columns, no ORM objects."""
    province = col(HelperArea.province_code)
    areas = (
        sa.select(
            col(HelperArea.user_id).label("user_id"),
            province.label("province_code"),
            sa.func.aggregate_strings(col(HelperArea.code), " ").label("codes"),
        )
        .where(province.in_(sa.bindparam("province_codes", expanding=True)))
        .group_by(col(HelperArea.user_id), province)
        .subquery("areas")
    )
    return (
        sa.select(
            areas.c.user_id,
            areas.c.province_code,
            areas.c.codes,
            *profile_columns(),
            _HELPER_COUNT.scalar_subquery().label("helpers_in_all"),
        )
        .join(HelperProfile, col(HelperProfile.user_id) == areas.c.user_id)
        .join(User, col(User.id) == areas.c.user_id)
    )


HELPERS_OF_PROVINCES = _province_helpers_statement()


def helper_of(
    user_id: uuid.UUID,
    codes: str,
    display_name: str,
    role: Role,
    is_active: bool,
    available: bool,
    leave_until: datetime | None,
    skills: str | None,
    languages: str | None,
    capacity: int,
    card_expires_on: date | None,
    last_assigned_at: datetime | None,
    load: int,
) -> Helper:
    """A helper from the user id, the area codes and `profile_columns`, in their order."""
    return Helper(
        user_id=user_id,
        display_name=display_name,
        role=role,
        is_active=is_active,
        available=available,
        leave_until=leave_until,
        skills=_skills(skills),
        languages=_languages(languages),
        areas=frozenset(codes.split()),
        capacity=capacity,
        load=load,
        card_expires_on=card_expires_on,
        last_assigned_at=last_assigned_at,
    )


# Helpers' skills and languages come from short lists of codes, and many helpers share the same
# list: each distinct JSON text is read once per process.
@lru_cache(maxsize=4096)
def _skills(text: str | None) -> frozenset[str]:
    return frozenset(json.loads(text)) if text else frozenset()


@lru_cache(maxsize=4096)
def _languages(text: str | None) -> frozenset[str]:
    return frozenset(map(normalise_language, json.loads(text))) if text else frozenset()


@dataclass(slots=True)
class KeptHelpers:
    """The helpers of the provinces read under one stamp, and the number of helpers in all."""

    stamp: str | None
    helpers_in_all: int | None = None
    provinces: dict[str, HelperGroup] = field(default_factory=dict)


_EMPTY = HelperGroup(())
# What this process read last (at most one stamp's worth).
_kept: list[KeptHelpers] = []


async def helpers_of(
    session: AsyncSession, provinces: Iterable[str], *, stamp: str | None
) -> tuple[dict[str, HelperGroup], int]:
    """The helpers of each of `provinces` as committed, and the number of helpers in all: what
    this process keeps when `stamp` (read just before, `STAMP.read` or `STAMP.column`) is the
    one it read them under, the provinces it lacks read in one statement (and kept). A session
    with uncommitted changes of helpers reads them afresh and keeps nothing."""
    wanted = sorted(set(provinces))
    if STAMP.written(session):
        kept = KeptHelpers(stamp=None)
    elif stamp is not None and _kept and _kept[0].stamp == stamp:
        kept = _kept[0]
    else:
        kept = KeptHelpers(stamp=stamp)
        if stamp is not None:
            _kept[:] = [kept]
    missing = [code for code in wanted if code not in kept.provinces]
    if missing:
        rows = (await session.execute(HELPERS_OF_PROVINCES, {"province_codes": missing})).all()
        found: dict[str, list[Helper]] = defaultdict(list)
        for user_id, province_code, codes, *profile, in_all in rows:
            found[province_code].append(helper_of(user_id, codes, *profile))
            kept.helpers_in_all = in_all
        for code in missing:
            kept.provinces[code] = HelperGroup(found.get(code, ())) if code in found else _EMPTY
    if kept.helpers_in_all is None:
        kept.helpers_in_all = int((await session.execute(_HELPER_COUNT)).scalar_one())
    return {code: kept.provinces[code] for code in wanted}, kept.helpers_in_all


def forget_helpers() -> None:
    """Read the helpers again at the next use (a test ended)."""
    _kept.clear()


def written_helpers(session: SyncSession | AsyncSession) -> bool:
    """Whether the session's transaction has changed helpers and not committed yet."""
    return STAMP.written(session)
