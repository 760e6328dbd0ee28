"""The current-user dependency and the role aliases every route declares.

Deny by default: a route is reachable only through one of the aliases below (or `Public`),
and a test walks every route of the app to prove each declares one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import col

from auth.tokens import ExpiredToken, InvalidToken, TokenClaims, TokenKind, decode_token
from models.base import utcnow
from models.enums import Role
from models.user import RefreshFamily, User
from service.platform.db import Session
from service.platform.errors import Forbidden, Unauthenticated
from service.platform.settings import Settings, get_settings

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

ACCESS_RULE_ATTRIBUTE = "access_rule"


async def app_settings(request: Request) -> Settings:
    """The settings the running app was built with (async: a plain function would be run in
    a worker thread on every request)."""
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]


# RFC 6750 section 3: the code and an ASCII description a client can act on; the problem body
# says the same in the caller's language.
_TOKEN_CHALLENGES = {
    "token.invalid": "The access token is not valid",
    "token.expired": "The access token expired",
    "token.revoked": "The access token was revoked",
}


def _refused_token(code: str) -> Unauthenticated:
    """A 401 whose challenge tells the client why its token was refused."""
    challenge = f'Bearer error="invalid_token", error_description="{_TOKEN_CHALLENGES[code]}"'
    return Unauthenticated(code=code, headers={"WWW-Authenticate": challenge})


# The account and the login session of a token in one indexed statement (both by primary
# key), built once so that every request reuses its compiled form. The session is joined only
# when it belongs to the account, so a missing or foreign session reads as NULL columns.
_CALLER = (
    sa.select(User, col(RefreshFamily.user_id), col(RefreshFamily.revoked_at))
    .outerjoin(
        RefreshFamily,
        sa.and_(
            col(RefreshFamily.id) == sa.bindparam("family_id"),
            col(RefreshFamily.user_id) == col(User.id),
        ),
    )
    .where(col(User.id) == sa.bindparam("user_id"))
)


async def current_user(
    request: Request,
    session: Session,
    settings: AppSettings,
    token: Annotated[str | None, Depends(bearer_scheme)],
) -> User:
    """The active user behind a valid access token, or 401.

    Nothing about the caller is cached between requests: each one verifies the token's
    signature and claims, then reads the account and the login session afresh (one statement),
    so a deactivated or demoted account, a bumped token version or a revoked session stops
    working with the next request."""
    if not token:
        raise Unauthenticated(code="token.missing")
    try:
        claims = decode_token(settings, token, expected=TokenKind.access, now=utcnow())
    except ExpiredToken:
        raise _refused_token("token.expired") from None
    except InvalidToken:
        raise _refused_token("token.invalid") from None
    row = (
        await session.execute(_CALLER, {"user_id": claims.subject, "family_id": claims.family_id})
    ).first()
    if row is None:
        raise _refused_token("token.invalid")
    user, family_user_id, revoked_at = row
    if not user.is_active or user.token_version != claims.version:
        raise _refused_token("token.revoked")
    if family_user_id is None:
        raise _refused_token("token.invalid")
    if revoked_at is not None:
        raise _refused_token("token.revoked")
    request.state.token_claims = claims
    request.state.user_id = user.id
    return user


async def token_claims(
    request: Request, _user: Annotated[User, Depends(current_user)]
) -> TokenClaims:
    """The verified claims of the caller's access token."""
    claims: TokenClaims = request.state.token_claims
    return claims


def require_roles(*roles: Role) -> Callable[..., Awaitable[User]]:
    """A dependency admitting only callers with one of `roles` (403 for other roles)."""
    allowed = frozenset(roles)

    async def dependency(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in allowed:
            raise Forbidden("Your role may not use this operation.")
        return user

    setattr(dependency, ACCESS_RULE_ATTRIBUTE, allowed)
    dependency.__name__ = "require_" + "_or_".join(sorted(r.value for r in allowed))
    return dependency


async def public_route() -> None:
    """Marks a route that needs no authentication (login, health checks)."""


setattr(public_route, ACCESS_RULE_ATTRIBUTE, "public")

Public = Depends(public_route)

AnyUser = Annotated[User, Depends(require_roles(*Role))]
CaseSubmitter = Annotated[
    User, Depends(require_roles(Role.volunteer, Role.caseworker, Role.supervisor))
]
"""Who may submit a case (intake): volunteers, caseworkers and supervisors."""
CaseHandler = Annotated[
    User, Depends(require_roles(Role.volunteer, Role.caseworker, Role.supervisor))
]
"""Who may work on a case (its timeline, notes, status steps, changes): volunteers, caseworkers
and supervisors; which cases is decided per object by `auth.policy` (a volunteer the ones they
lead)."""
Caseworker = Annotated[User, Depends(require_roles(Role.caseworker, Role.supervisor))]
"""Caseworkers and supervisors (a supervisor may do anything a caseworker may)."""
CaseReader = Annotated[
    User,
    Depends(require_roles(Role.volunteer, Role.caseworker, Role.supervisor, Role.agency)),
]
# The live stream: case readers, and admins for the breach notices alone.
StreamReader = Annotated[
    User,
    Depends(
        require_roles(Role.volunteer, Role.caseworker, Role.supervisor, Role.agency, Role.admin)
    ),
]
"""Everyone who may read some case; which cases is decided per object by `auth.policy`."""
HelperRole = Annotated[User, Depends(require_roles(Role.volunteer, Role.caseworker))]
"""Helpers, who have a routing profile of their own: volunteers and caseworkers."""
OfferTaker = Annotated[
    User, Depends(require_roles(Role.volunteer, Role.caseworker, Role.supervisor))
]
"""Who may be offered a case and answer the offers made to them."""
ReferralReader = Annotated[
    User, Depends(require_roles(Role.caseworker, Role.supervisor, Role.agency))
]
"""Who may read and act on referrals: the center's staff, and agency staff (their own
organization's, decided per object by `auth.policy`)."""
AgencyStaff = Annotated[User, Depends(require_roles(Role.agency))]
"""Agency staff: they read and answer the referrals sent to their organization."""
Supervisor = Annotated[User, Depends(require_roles(Role.supervisor))]
Admin = Annotated[User, Depends(require_roles(Role.admin))]
PrivacyOfficer = Annotated[User, Depends(require_roles(Role.supervisor, Role.admin))]
PolicyReader = Annotated[User, Depends(require_roles(Role.caseworker, Role.supervisor, Role.admin))]
"""Who may read the center's deadline policies and calendar: staff who meet them, and admins."""
CallerClaims = Annotated[TokenClaims, Depends(token_claims)]
DirectoryStaff = Annotated[
    User, Depends(require_roles(Role.caseworker, Role.supervisor, Role.admin))
]
"""Who list the whole agency directory: staff choose agencies to refer to, admins manage it."""
DirectoryReader = Annotated[
    User,
    Depends(require_roles(Role.caseworker, Role.supervisor, Role.admin, Role.agency)),
]
"""Who read an organization or service; agency staff only their own (`auth.policy`)."""
AgencyEditor = Annotated[User, Depends(require_roles(Role.admin, Role.agency))]
"""Who change an organization's contact data and a service's room: admins, and the
organization's own agency staff (`auth.policy`)."""
StatisticsReader = Annotated[
    User, Depends(require_roles(Role.caseworker, Role.supervisor, Role.admin))
]
"""Who read the statistics: staff in full, admins the counts only (`service.statistics`)."""
