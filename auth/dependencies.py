"""The current-user dependency and the role aliases every route declares.

Deny by default: a route is reachable only through one of the aliases below (or `Public`),
and a test walks every route of the app to prove each declares one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from auth.tokens import ExpiredToken, InvalidToken, TokenClaims, TokenKind, decode_token
from models.base import utcnow
from models.enums import Role
from models.user import RefreshFamily, User
from service.platform.db import Session
from service.platform.errors import Forbidden, Unauthenticated
from service.platform.settings import Settings, get_settings

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

ACCESS_RULE_ATTRIBUTE = "access_rule"


def app_settings(request: Request) -> Settings:
    """The settings the running app was built with."""
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


async def current_user(
    request: Request,
    session: Session,
    settings: AppSettings,
    token: Annotated[str | None, Depends(bearer_scheme)],
) -> User:
    """The active user behind a valid access token, or 401."""
    if not token:
        raise Unauthenticated(code="token.missing")
    try:
        claims = decode_token(settings, token, expected=TokenKind.access, now=utcnow())
    except ExpiredToken:
        raise _refused_token("token.expired") from None
    except InvalidToken:
        raise _refused_token("token.invalid") from None
    user = await session.get(User, claims.subject)
    if user is None:
        raise _refused_token("token.invalid")
    if not user.is_active or user.token_version != claims.version:
        raise _refused_token("token.revoked")
    family = await session.get(RefreshFamily, claims.family_id)
    if family is None or family.user_id != user.id:
        raise _refused_token("token.invalid")
    if family.revoked_at is not None:
        raise _refused_token("token.revoked")
    request.state.token_claims = claims
    request.state.user_id = user.id
    return user


def token_claims(request: Request, _user: Annotated[User, Depends(current_user)]) -> TokenClaims:
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
