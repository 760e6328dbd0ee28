"""What the stream says: the announced event types, a message as the database recorded it,
and the server-sent events a client receives (pure). Besides case events, the stream says
when a breach's notification to the regulator is due soon or overdue (`BreachNotice`)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sse_starlette import ServerSentEvent

from models.enums import BreachNotice, CaseEventType, Urgency
from models.stream import BreachMessageOut, StreamMessageOut

ANNOUNCED = frozenset(
    {
        CaseEventType.created,
        CaseEventType.escalated,
        CaseEventType.sla_at_risk,
        CaseEventType.sla_breached,
        CaseEventType.offered,
        CaseEventType.offer_accepted,
        CaseEventType.offer_declined,
        CaseEventType.offer_expired,
        CaseEventType.offer_withdrawn,
        CaseEventType.referred,
        CaseEventType.referral_answered,
        CaseEventType.referral_overdue,
        CaseEventType.referral_cancelled,
    }
)
"""The case events the stream announces (the trigger of migration `0025_stream_restricted`
lists the same)."""

REFERRAL_EVENTS = frozenset(
    {
        CaseEventType.referred,
        CaseEventType.referral_answered,
        CaseEventType.referral_overdue,
        CaseEventType.referral_cancelled,
    }
)

CHANNEL = "onestop_stream"
"""The PostgreSQL notification channel the trigger sends each message on."""

RETRY_MILLISECONDS = 3000
"""How long a client waits before reconnecting (the stream's first `retry:` line)."""


class Reload(StrEnum):
    """Why a client must fetch its lists afresh: messages it should have had are gone."""

    history_gone = "history_gone"  # `Last-Event-ID` is older than the log keeps
    too_many_missed = "too_many_missed"  # more missed messages than a resume replays


class End(StrEnum):
    """Why the server ends a stream. The client reconnects (with a fresh access token after
    `token_expired`) and `Last-Event-ID`, and receives what it missed."""

    token_expired = "token_expired"  # noqa: S105 - a reason, not a secret
    access_revoked = "access_revoked"  # the account was deactivated or signed out
    too_slow = "too_slow"  # the client fell too far behind
    interrupted = "interrupted"  # the server lost its feed for a moment


@dataclass(frozen=True, slots=True)
class Message:
    """One announced event with the facts that decide who may receive it. A case event names
    its case (`case_id`, `case_reference`, `urgency`) and whether it was restricted; a breach
    notice its breach."""

    id: int
    type: CaseEventType | BreachNotice
    case_id: uuid.UUID | None
    case_reference: str | None
    urgency: Urgency | None
    occurred_at: datetime
    reported_by_id: uuid.UUID | None
    lead_id: uuid.UUID | None
    offered_to_id: uuid.UUID | None
    offer_id: uuid.UUID | None
    referral_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    breach_id: uuid.UUID | None = None
    restricted: bool = False
    """The case was restricted (PDPA s.32, s.34) when the event was recorded."""


def message_type(value: str) -> CaseEventType | BreachNotice:
    """A stored message type: a case event's, else a breach notice (ValueError otherwise)."""
    if value in BreachNotice.__members__:
        return BreachNotice(value)
    return CaseEventType(value)


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def message_from(row: Any) -> Message:
    """A message from a `stream_messages` row or the JSON of its notification."""
    fields = row if isinstance(row, dict) else row._mapping
    occurred_at = fields["occurred_at"]
    if isinstance(occurred_at, str):
        occurred_at = datetime.fromisoformat(occurred_at)
    return Message(
        id=int(fields["id"]),
        type=message_type(str(fields["type"])),
        case_id=_uuid(fields["case_id"]),
        case_reference=None if fields["case_reference"] is None else str(fields["case_reference"]),
        urgency=None if fields["urgency"] is None else Urgency(fields["urgency"]),
        occurred_at=occurred_at.astimezone(UTC),
        reported_by_id=_uuid(fields["reported_by_id"]),
        lead_id=_uuid(fields["lead_id"]),
        offered_to_id=_uuid(fields["offered_to_id"]),
        offer_id=_uuid(fields["offer_id"]),
        referral_id=_uuid(fields["referral_id"]),
        organization_id=_uuid(fields["organization_id"]),
        breach_id=_uuid(fields.get("breach_id")),
        restricted=bool(fields.get("restricted") or False),
    )


def notification_message(payload: str) -> Message:
    """The message a PostgreSQL notification carries (the row as JSON)."""
    return message_from(json.loads(payload))


def case_event(message: Message) -> ServerSentEvent:
    """The server-sent event of a message: ids, reference and urgency, no case content (a
    breach notice: the breach's id)."""
    if isinstance(message.type, BreachNotice):
        assert message.breach_id is not None  # written with every breach notice
        breach = BreachMessageOut(
            id=message.id,
            type=message.type,
            breach_id=message.breach_id,
            occurred_at=message.occurred_at,
        )
        return ServerSentEvent(
            data=breach.model_dump_json(), event=message.type.value, id=str(message.id)
        )
    assert message.case_id is not None and message.case_reference is not None
    assert message.urgency is not None  # the trigger writes them with every case event
    data = StreamMessageOut(
        id=message.id,
        type=message.type,
        case_id=message.case_id,
        case_reference=message.case_reference,
        urgency=message.urgency,
        occurred_at=message.occurred_at,
        offer_id=message.offer_id,
        user_id=message.offered_to_id,
        referral_id=message.referral_id,
        organization_id=message.organization_id,
    )
    return ServerSentEvent(
        data=data.model_dump_json(), event=message.type.value, id=str(message.id)
    )


def reload_event(reason: Reload) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps({"reason": reason.value}), event="reload")


def end_event(reason: End) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps({"reason": reason.value}), event="end")


def opening_event() -> ServerSentEvent:
    """The first line of every stream: how long to wait before reconnecting."""
    return ServerSentEvent(comment="onestop stream", retry=RETRY_MILLISECONDS)
