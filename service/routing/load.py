"""Each helper's load, stored on their profile so the workload queue reads a page of helpers in
index order whatever the number of cases: `open_cases_led` (open cases they lead),
`pending_offers` (offers waiting for their answer) and `load_ratio` (their sum over the
capacity, a capacity of 0 counting as 1).

Decided: the figures are recounted, not incremented. Every flush notes the helpers a change
concerns: a case whose lead or status changed (its lead before and after), an offer created or
whose status or person changed, a profile created or whose capacity changed. Just before the
transaction commits, those helpers are recounted from the cases and offers (through the partial
indexes of open cases by lead and of pending offers by person), in the same transaction. Every
writer through the session is covered, present and future, without each service having to
remember a +1 or -1; a statement that writes cases or offers in bulk, bypassing the session,
must call `recount_helpers` itself (the benchmark seeds do, for every helper).

Concurrency (PostgreSQL, READ COMMITTED): an `UPDATE ... SET n = (SELECT count ...)` counts
with its statement's snapshot. Had it waited for another transaction's lock on the same
profile row, it would re-check that row once the other commits but keep its snapshot, and so
miss the other's committed cases: a lost update. So the helpers' rows are first locked
(`SELECT ... FOR UPDATE`, in user id order so two recounts never wait on each other in a
cycle), and the count runs in the next statement, whose fresh snapshot sees whatever the
previous holder of the lock committed. Whichever transaction recounts last sees both changes.
A profile row the transaction wrote earlier is already held (accepting an offer stamps the
helper's `last_assigned_at`): two crossed handovers at the same instant (X takes Y's case
while Y takes X's) can still deadlock: PostgreSQL then refuses one of them, answered 503
`database-busy` with `Retry-After` (`service.platform.db`).
SQLite has one writer at a time: nothing to lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session as SyncSession
from sqlalchemy.orm.attributes import get_history
from sqlmodel import col

from models.case import Case
from models.routing import HelperProfile, HelperStamp, Offer
from service.platform.stamps import new_stamp_sql

_CONCERNED = "onestop_load_concerned"

_OPEN_LED = (
    sa.select(sa.func.count())
    .where(
        col(Case.lead_id) == col(HelperProfile.user_id),
        col(Case.status) != sa.literal_column("'closed'"),
    )
    .scalar_subquery()
)
_PENDING = (
    sa.select(sa.func.count())
    .where(
        col(Offer.user_id) == col(HelperProfile.user_id),
        col(Offer.status) == sa.literal_column("'pending'"),
    )
    .scalar_subquery()
)
LOAD_RATIO = sa.cast(
    col(HelperProfile.open_cases_led) + col(HelperProfile.pending_offers), sa.Float
) / sa.case((col(HelperProfile.capacity) > 0, col(HelperProfile.capacity)), else_=1)


def recount_statements(user_ids: Collection[uuid.UUID] | None) -> list[sa.Update]:
    """The statements that recount the given helpers (all of them for None)."""
    counts = sa.update(HelperProfile).values(open_cases_led=_OPEN_LED, pending_offers=_PENDING)
    ratio = sa.update(HelperProfile).values(load_ratio=LOAD_RATIO)
    if user_ids is not None:
        counts = counts.where(col(HelperProfile.user_id).in_(user_ids))
        ratio = ratio.where(col(HelperProfile.user_id).in_(user_ids))
    return [counts, ratio]


def recount_all_sql() -> tuple[str, ...]:
    """`recount_statements(None)` as PostgreSQL text, for code writing with plain SQL, and a new
    helper stamp, so that every server reads the helpers and their load again
    (`service.routing.helper_pool`)."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return (
        *(
            str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            for statement in recount_statements(None)
        ),
        new_stamp_sql(HelperStamp.__table__),  # type: ignore[attr-defined]
    )


def recount_helpers(session: SyncSession, user_ids: Iterable[uuid.UUID]) -> None:
    """Recount the stored load of these helpers from their cases and offers (after locking their
    profiles, see the module's docstring); a user without a profile is skipped."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    session.execute(
        sa.select(col(HelperProfile.user_id))
        .where(col(HelperProfile.user_id).in_(ids))
        .order_by(col(HelperProfile.user_id))
        .with_for_update()
    )
    for statement in recount_statements(ids):
        session.execute(statement, execution_options={"synchronize_session": False})


def _changed(target: Any, *names: str) -> bool:
    # `get_history` reads one attribute; `inspect(target).attrs` would build all of them.
    return any(get_history(target, name).has_changes() for name in names)


def _before_and_after(target: Any, name: str) -> set[Any]:
    history = get_history(target, name)
    return {*history.added, *history.deleted, *history.unchanged}


def concerned_helpers(session: SyncSession) -> set[uuid.UUID]:
    """The helpers whose load the session's pending changes may alter."""
    concerned: set[Any] = set()
    for target in (*session.new, *session.dirty, *session.deleted):
        fresh = target in session.new or target in session.deleted
        if isinstance(target, Case) and (fresh or _changed(target, "lead_id", "status")):
            concerned |= _before_and_after(target, "lead_id")
        elif isinstance(target, Offer) and (fresh or _changed(target, "user_id", "status")):
            concerned |= _before_and_after(target, "user_id")
        elif isinstance(target, HelperProfile) and (fresh or _changed(target, "capacity")):
            concerned.add(target.user_id)
    concerned.discard(None)
    return concerned


@event.listens_for(SyncSession, "after_flush")
def _note_concerned(session: SyncSession, _context: Any) -> None:
    concerned = concerned_helpers(session)
    if concerned:
        session.info.setdefault(_CONCERNED, set()).update(concerned)


@event.listens_for(SyncSession, "before_commit")
def _recount_concerned(session: SyncSession) -> None:
    session.flush()
    concerned = session.info.pop(_CONCERNED, None)
    if concerned:
        recount_helpers(session, concerned)


@event.listens_for(SyncSession, "after_soft_rollback")
def _forget_concerned(session: SyncSession, previous: Any) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_CONCERNED, None)
