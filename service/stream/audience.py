"""Who may receive a stream message: the same policy as reading a case or a referral.

Staff receive every message. A volunteer receives the messages of the cases they reported,
lead or are offered (as the case stood when the event was recorded), and of offers made,
declined or expired only their own, as their case timeline shows them. Agency staff receive
only referral messages about their own organization. Breach notices go to supervisors and
admins only (they keep the breach register); admins receive nothing else. Anyone else receives
nothing.

A restricted case (PDPA s.32, s.34) reaches supervisors only, as it shows to them only. Decided
by the case as it stood when the message was recorded (`StreamMessage.restricted`, written by
the log's trigger): a message recorded while the case was restricted never reaches anyone else,
live or on resume, even after the restriction is lifted. A resume also decides by the case as
it stands now: the messages of a case restricted now, recorded before its restriction, are not
replayed to anyone but supervisors (they are again once it is lifted). A live message is
delivered within moments of being recorded, so both decisions agree for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from auth.policy import STAFF, CaseFacts, may_read_case, may_read_referral, sees_restricted
from models.case import Case
from models.enums import BreachNotice, Role
from models.stream import StreamMessage
from models.user import User
from service.cases.reading import OFFER_EVENTS as ONE_HELPERS_OFFER_EVENTS
from service.stream.messages import REFERRAL_EVENTS, Message


@dataclass(frozen=True, slots=True)
class Viewer:
    """The holder of one stream."""

    user_id: uuid.UUID
    role: Role
    organization_id: uuid.UUID | None

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user_id=user.id, role=user.role, organization_id=user.organization_id)


BREACH_KEEPERS = frozenset({Role.supervisor, Role.admin})
BREACH_NOTICES = [notice.value for notice in BreachNotice]


def may_receive(viewer: Viewer, message: Message) -> bool:
    """Whether `viewer` may see `message` (pure)."""
    if isinstance(message.type, BreachNotice):
        return viewer.role in BREACH_KEEPERS
    if viewer.role is Role.admin:
        return False
    if viewer.role is Role.agency:
        return (
            message.type in REFERRAL_EVENTS
            and not message.restricted
            and message.organization_id is not None
            and may_read_referral(viewer.role, viewer.organization_id, message.organization_id)
        )
    if message.reported_by_id is None:
        return False
    facts = CaseFacts(
        created_by_id=message.reported_by_id,
        lead_id=message.lead_id,
        offered_to=message.offered_to_id,
        restricted=message.restricted,
    )
    if not may_read_case(viewer.user_id, viewer.role, facts):
        return False
    if message.type in ONE_HELPERS_OFFER_EVENTS and viewer.role not in STAFF:
        return message.offered_to_id == viewer.user_id
    return True


def _unrestricted() -> Any:
    """Messages recorded while their case was not restricted, of a case not restricted now."""
    restricted_now = (
        sa.select(col(Case.id))
        .where(col(Case.id) == col(StreamMessage.case_id), col(Case.restricted_at).is_not(None))
        .exists()
    )
    return sa.and_(sa.not_(col(StreamMessage.restricted)), sa.not_(restricted_now))


def narrowing(viewer: Viewer) -> Any:
    """A WHERE clause that keeps at most what `may_receive` admits, so a resume does not read
    other people's messages, and leaves out for all but supervisors the messages of cases
    restricted now; `may_receive` still decides each one."""
    if sees_restricted(viewer.role):
        return sa.true()
    if viewer.role in STAFF:
        return _unrestricted()
    if viewer.role is Role.admin:
        return col(StreamMessage.type).in_(BREACH_NOTICES)
    if viewer.role is Role.agency:
        if viewer.organization_id is None:
            return sa.false()
        return sa.and_(
            col(StreamMessage.type).in_([t.value for t in REFERRAL_EVENTS]),
            col(StreamMessage.organization_id) == viewer.organization_id,
            _unrestricted(),
        )
    if viewer.role is Role.volunteer:
        # A breach notice names no person: none of these hold for it.
        return sa.and_(
            sa.or_(
                col(StreamMessage.reported_by_id) == viewer.user_id,
                col(StreamMessage.lead_id) == viewer.user_id,
                col(StreamMessage.offered_to_id) == viewer.user_id,
            ),
            _unrestricted(),
        )
    return sa.false()
