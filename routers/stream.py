"""Live updates for staff: a server-sent events stream (SPEC §6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from sse_starlette import EventSourceResponse

from auth.dependencies import (
    AppSettings,
    CallerClaims,
    StreamReader,
    app_settings,
    bearer_scheme,
    current_user,
)
from models.enums import BreachNotice
from routers import API_PREFIX
from service.platform.errors import Unauthenticated, problem_schema_responses
from service.stream.audience import Viewer
from service.stream.broker import Broker
from service.stream.messages import ANNOUNCED
from service.stream.streaming import StillAllowed, stream_ends_at, stream_events

router = APIRouter(prefix=API_PREFIX, tags=["stream"])

PING_SECONDS = 15
SEND_TIMEOUT_SECONDS = 30

STREAM_EXAMPLE = (
    ": onestop stream\r\nretry: 3000\r\n\r\n"
    "id: 42\r\nevent: created\r\n"
    'data: {"id":42,"type":"created","case_id":"0f8fad5b-d9cb-469f-a165-70867728950e",'
    '"case_reference":"OS-2569-000123","urgency":"critical",'
    '"occurred_at":"2026-11-30T09:15:00Z","offer_id":null,"user_id":null,'
    '"referral_id":null,"organization_id":null}\r\n\r\n'
)
EVENT_NAMES = [
    *sorted(t.value for t in ANNOUNCED),
    *(notice.value for notice in BreachNotice),
    "reload",
    "end",
]
STREAM_ANSWER: dict[str, Any] = {
    "description": (
        "A `text/event-stream` that stays open. Each case message has an `id:` (increasing), "
        "an `event:` naming the case event (`created`, `escalated`, `sla_at_risk`, "
        "`sla_breached`, `offered`, `offer_accepted`, `offer_declined`, `offer_expired`, "
        "`offer_withdrawn`, `referred`, `referral_answered`, `referral_overdue`, "
        "`referral_cancelled`) and "
        "`data:` as JSON: `id`, `type`, `case_id`, `case_reference`, `urgency`, `occurred_at`, "
        "and `offer_id`, `user_id` (the helper offered), `referral_id` and `organization_id` "
        "where they apply. Supervisors and admins also receive `breach_due_soon` (a "
        "breach's 72-hour notification to the regulator is due within 24 hours) and "
        "`breach_overdue`, once each per breach, with `data:` `id`, `type`, `breach_id`, "
        "`occurred_at`; admins receive nothing else. "
        '`event: reload` (`data: {"reason": ...}`) says '
        "messages were missed beyond what a resume replays: fetch the lists afresh. "
        "`event: end` says why the server ends the stream (`token_expired`, `access_revoked`, "
        "`too_slow`, `interrupted`): reconnect, with a fresh token, sending `Last-Event-ID`. "
        "Comment lines (`: ping`) keep the connection alive."
    ),
    "content": {
        "text/event-stream": {
            "schema": {
                "type": "object",
                "description": "One server-sent event of the stream.",
                "properties": {
                    "event": {"type": "string", "enum": EVENT_NAMES},
                    "id": {
                        "type": "string",
                        "pattern": "^[0-9]+$",
                        "description": "On case messages: what `Last-Event-ID` resumes from.",
                    },
                    "data": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "description": "The message as JSON.",
                    },
                    "retry": {"type": "integer", "minimum": 0},
                },
            },
            "example": STREAM_EXAMPLE,
        }
    },
}


def _still_allowed(request: Request, token: str) -> StillAllowed:
    """The same check as every request's: active account, current token, session not
    revoked."""

    async def check() -> bool:
        settings = await app_settings(request)
        async with request.app.state.sessionmaker() as session:
            try:
                await current_user(request, session, settings, token)
            except Unauthenticated:
                return False
        return True

    return check


@router.get(
    "/stream",
    summary="Live updates",
    response_class=EventSourceResponse,
    response_model=None,
    responses={200: STREAM_ANSWER, **problem_schema_responses(401, 403, 422, 429)},
)
async def stream(
    request: Request,
    caller: StreamReader,
    claims: CallerClaims,
    settings: AppSettings,
    token: Annotated[str | None, Depends(bearer_scheme)],
    last_event_id: Annotated[
        str,
        Header(
            alias="Last-Event-ID",
            pattern=r"^[0-9]{0,18}$",
            description=(
                "The `id` of the last message received: the messages since are sent first "
                "(up to an hour back, at most 1,000; otherwise an `event: reload`). Empty or "
                "absent: only what happens from now."
            ),
        ),
    ] = "",
) -> EventSourceResponse:
    """New, escalated, at-risk and breached cases, offers and referral answers, as they happen,
    for what the caller may read (a restricted case's messages reach supervisors only, live and
    on resume), and breaches whose notification is due soon or overdue (for supervisors and
    admins); ends when the access token expires."""
    broker: Broker = request.app.state.stream_broker
    viewer = Viewer.of(caller)
    broker.check_room(viewer)
    events = stream_events(
        broker=broker,
        viewer=viewer,
        sessionmaker=request.app.state.sessionmaker,
        last_event_id=int(last_event_id) if last_event_id else None,
        ends_at=stream_ends_at(
            issued_at=claims.issued_at,
            expires_at=claims.expires_at,
            lifetime=timedelta(minutes=settings.access_token_minutes),
        ),
        still_allowed=_still_allowed(request, token or ""),
    )
    return EventSourceResponse(events, ping=PING_SECONDS, send_timeout=SEND_TIMEOUT_SECONDS)
