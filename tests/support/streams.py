"""Tokens about to expire, for tests of the live-updates stream (which ends with its token)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from auth.tokens import TokenKind, issue_token
from models.base import utcnow
from service.platform.settings import Settings


def expiring_bearer(
    settings: Settings,
    *,
    subject: uuid.UUID,
    version: int,
    family_id: uuid.UUID,
    seconds_left: float,
) -> str:
    """`Bearer <token>` issued almost a whole access-token lifetime ago: it expires in
    `seconds_left`."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    token = issue_token(
        settings,
        kind=TokenKind.access,
        subject=subject,
        version=version,
        family_id=family_id,
        now=utcnow() - lifetime + timedelta(seconds=seconds_left),
    )
    return f"Bearer {token.token}"
