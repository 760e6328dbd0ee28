"""Accounts, refresh-token families and login throttling state."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import ConfigDict, StrictBool, field_validator
from sqlmodel import Field, SQLModel

from models.base import EnumText, NotNull, UTCDateTime, new_id, no_nul_characters, utcnow
from models.enums import Role

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"


def _normalise_username(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


class UserBase(SQLModel):
    username: str = Field(
        max_length=64,
        description="Login name: 3-64 of a-z, 0-9, '.', '_' or '-'; stored lower-case.",
    )
    display_name: str = Field(max_length=200, description="Name shown to colleagues.")
    role: Role = Field(description="Decides what the account may see and do.")


class User(UserBase, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    role: Role = Field(sa_type=EnumText(Role, 16))
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    organization_id: uuid.UUID | None = Field(
        default=None,
        foreign_key="organizations.id",
        index=True,
        ondelete="RESTRICT",
        description="The organization an agency account belongs to; none for other roles.",
    )
    token_version: int = Field(
        default=1, description="Bumped to invalidate every token the user holds."
    )
    password_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserCreate(UserBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    username: str = Field(
        max_length=64,
        description="3-64 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit.",
        schema_extra={"pattern": USERNAME_PATTERN},
    )
    password: str = Field(min_length=12, max_length=256, description="At least 12 characters.")
    organization_id: uuid.UUID | None = Field(
        default=None,
        description="The organization of an agency account (required for role `agency`, "
        "refused for the others). Checked by the server beyond this schema: an organization "
        "of the directory.",
    )

    _lower = field_validator("username", mode="before")(_normalise_username)
    _no_nul = field_validator("*")(no_nul_characters)

    @field_validator("username")
    @classmethod
    def _username_shape(cls, value: str) -> str:
        if not re.fullmatch(USERNAME_PATTERN, value):
            raise ValueError(
                "use 3-64 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
            )
        return value


class UserUpdate(SQLModel):
    """Fields an admin may change (at least one); each change ends the user's sessions."""

    model_config = ConfigDict(  # type: ignore[assignment]
        extra="forbid", json_schema_extra={"minProperties": 1}
    )

    display_name: NotNull[str] = Field(default=None, min_length=1, max_length=200)
    role: NotNull[Role] = None
    is_active: NotNull[StrictBool] = None
    organization_id: uuid.UUID | None = Field(
        default=None,
        description="Moves an agency account to another organization (its sessions end); "
        "cleared when the role is no longer `agency`. Checked by the server beyond this schema: "
        "an organization of the directory, only for agency accounts.",
    )

    _no_nul = field_validator("*")(no_nul_characters)


class PasswordReset(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    password: str = Field(min_length=12, max_length=256, description="At least 12 characters.")

    _no_nul = field_validator("*")(no_nul_characters)


class UserPublic(UserBase):
    id: uuid.UUID
    is_active: bool
    organization_id: uuid.UUID | None = None
    created_at: datetime


class UserList(SQLModel):
    items: list[UserPublic]
    next_cursor: str | None = None


class StaffMember(SQLModel):
    """A colleague as the staff directory shows them: no login name, no account details."""

    id: uuid.UUID
    display_name: str
    role: Role


class StaffDirectory(SQLModel):
    items: list[StaffMember]
    next_cursor: str | None = None


class RefreshFamily(SQLModel, table=True):
    """One login session: every refresh token rotated from one password login."""

    __tablename__ = "refresh_families"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=32)


class RefreshToken(SQLModel, table=True):
    """A refresh token by its `jti`; `used_at` is set once when it is rotated."""

    __tablename__ = "refresh_tokens"

    jti: str = Field(primary_key=True, max_length=64)
    family_id: uuid.UUID = Field(foreign_key="refresh_families.id", index=True, ondelete="CASCADE")
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failed-login counters per account and per client address, keyed by a keyed hash."""

    __tablename__ = "login_throttles"

    key: str = Field(primary_key=True, max_length=80)
    failures: int = Field(default=0)
    window_started_at: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
