"""Argon2id password hashing, run off the event loop."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


@lru_cache
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


@lru_cache
def _unknown_user_hash() -> str:
    """A real hash to verify against when the username is unknown, so the answer takes as
    long as for a known user with a wrong password."""
    return _hasher().hash("onestop-no-such-user-placeholder")


def hash_password_sync(password: str) -> str:
    return _hasher().hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher().hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check `password`; with no hash (unknown user) spend the same time and answer False."""
    if password_hash is None:
        await asyncio.to_thread(_hasher().verify, password, _unknown_user_hash())
        return False
    try:
        return await asyncio.to_thread(_hasher().verify, password, password_hash)
    except Exception:  # a malformed stored hash is a failed login, not a 500
        return False
