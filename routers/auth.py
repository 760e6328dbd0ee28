"""Sign-in, token refresh and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from auth.dependencies import AnyUser, AppSettings, CallerClaims, Public
from models.auth import RefreshRequest, TokenResponse
from models.base import utcnow
from routers import API_PREFIX
from service.accounts import authentication
from service.accounts.authentication import TokenPair
from service.platform.db import Session
from service.platform.errors import problem_schema_responses

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])


def _token_response(pair: TokenPair, response: Response) -> TokenResponse:
    response.headers["Cache-Control"] = "no-store"
    now = utcnow()
    return TokenResponse(
        access_token=pair.access.token,
        expires_in=max(0, int((pair.access.expires_at - now).total_seconds())),
        refresh_token=pair.refresh.token,
        refresh_expires_at=pair.refresh.expires_at,
    )


@router.post(
    "/token",
    summary="Sign in",
    dependencies=[Public],
    responses=problem_schema_responses(401, 422, 429),
)
async def sign_in(
    request: Request,
    response: Response,
    session: Session,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=256)],
    password: Annotated[str, Form(max_length=1024)],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
) -> TokenResponse:
    """Sign in with the OAuth2 password form; returns an access and a refresh token."""
    pair = await authentication.login(
        session,
        settings=settings,
        username=username,
        password=password,
        client_address=request.client.host if request.client else "unknown",
        now=utcnow(),
    )
    return _token_response(pair, response)


@router.post(
    "/refresh",
    summary="Refresh the tokens",
    dependencies=[Public],
    responses=problem_schema_responses(401, 422),
)
async def refresh_tokens(
    body: RefreshRequest, response: Response, session: Session, settings: AppSettings
) -> TokenResponse:
    """Exchange a refresh token for a new pair; a reused refresh token ends its session."""
    pair = await authentication.refresh(
        session, settings=settings, refresh_token=body.refresh_token, now=utcnow()
    )
    return _token_response(pair, response)


@router.post(
    "/logout",
    summary="Sign out of this session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_schema_responses(401),
)
async def sign_out(_user: AnyUser, claims: CallerClaims, session: Session) -> None:
    """End the current session: its access and refresh tokens stop working."""
    await authentication.logout(session, family_id=claims.family_id, now=utcnow())


@router.post(
    "/logout-all",
    summary="Sign out everywhere",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_schema_responses(401),
)
async def sign_out_everywhere(user: AnyUser, session: Session) -> None:
    """End every session of the caller on every device."""
    await authentication.end_all_sessions(session, user=user, now=utcnow(), reason="logout-all")
