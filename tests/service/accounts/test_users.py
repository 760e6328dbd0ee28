"""Listing accounts a page at a time."""

from __future__ import annotations

import base64

import pytest

from models.enums import Role
from service.accounts.users import list_users
from service.platform.errors import Unprocessable
from service.platform.pagination import encode_cursor


def _raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _raw_cursor('["\\ud800"]'),  # a lone surrogate, which no database encoding holds
        encode_cursor(["demo\x00admin"]),  # NUL, which PostgreSQL text cannot hold
        encode_cursor([12]),
        encode_cursor(["x" * 65]),
    ],
)
async def test_a_cursor_holding_no_username_is_refused(session, cursor: str) -> None:
    with pytest.raises(Unprocessable) as refused:
        await list_users(session, limit=10, cursor=cursor)
    assert refused.value.errors[0]["parameter"] == "cursor"


async def test_a_cursor_from_a_page_continues_after_its_username(session, make_actor) -> None:
    await make_actor(Role.volunteer)
    await make_actor(Role.caseworker)
    first, cursor = await list_users(session, limit=1, cursor=None)
    assert cursor is not None
    rest, _ = await list_users(session, limit=200, cursor=cursor)
    assert [u.username for u in rest] == sorted(u.username for u in rest)
    assert first[0].username not in [u.username for u in rest]
