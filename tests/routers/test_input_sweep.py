"""No input, however extreme, gives a 5xx (SPEC §7): a property-based sweep of every operation.

For every operation of `create_app().openapi()` the test starts from a valid request (a valid
body, ids of objects that exist and the caller may act on, a current `If-Match`, an
authorised caller) and checks that it succeeds. Then it replaces one leaf at a time: every
node of the body (fields, nested fields, list items, the containers, and fields the schema
allows that the valid body leaves out), every query and path parameter, and the headers
`Authorization`, `Content-Type`, `If-Match`, `Idempotency-Key` and `Accept-Language`, with
extreme values from `tests/support/extremes.py`: long strings of letters that grow when
case-folded, every Unicode category, numbers at the int32/int64/float edges, NaN and Infinity
written as JSON text, wrong JSON types, dates at calendar edges in every ISO shape, cursors of
every shape made with `encode_cursor`, random base64, and tokens signed with the right key
whose claims are extreme.

A raised exception or a status of 500 or more fails the test; the failure lists every such
input with the operation, the leaf, the value and where the exception was raised. Requests go
through an `httpx.ASGITransport` that raises the app's exceptions (the default), so an error
the error handler turned into a 500 surfaces too.

Why the values are drawn before any request is sent: Hypothesis drives a synchronous function
per leaf that only records the values it is given (`draw_examples`), seeded from the
operation and the leaf, so each run sends the same requests. Nothing async runs inside
Hypothesis, so it never meets pytest-asyncio's session event loop, and the function-scoped
fixtures (one rolled-back transaction per test) are used by one plain async loop. Shrinking
is not needed: the values are extreme by construction and each failure is printed as it was
sent. Each request runs inside a SAVEPOINT that is rolled back afterwards, so every mutated
request meets the same valid state (the same case version, an unrevoked session, an unused
refresh token). Password hashing uses the same Argon2id at its smallest cost, so the time
goes into inputs rather than hashing.

The valid requests live in `tests/support/sweep_requests.py` (one per operation; a new route
without one fails `test_every_operation_has_a_valid_request`), the leaves and the building
of mutated requests in `tests/support/sweep.py`. Header values are sent as the bytes HTTP/1.1
can carry: CR, LF, NUL and other controls are dropped, since servers refuse them before the
app sees them.

`ONESTOP_SWEEP_EXAMPLES` (default 4) is the number of values Hypothesis draws per leaf, on
top of a few sharp values chosen for the leaf's type (`extremes.sharp_for`).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st
from jose import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from auth import passwords
from service.app import create_app
from tests.conftest import MakeActor, make_settings
from tests.support import extremes as ex
from tests.support.sweep import (
    SWEPT_HEADERS,
    Leaf,
    ValidRequest,
    body_leaves,
    build,
    send,
    shown,
    value_at,
)
from tests.support.sweep_requests import RECIPES, World

EXAMPLES = int(os.environ.get("ONESTOP_SWEEP_EXAMPLES", "4"))
OPENAPI = create_app(make_settings()).openapi()
COMPONENTS = OPENAPI.get("components", {}).get("schemas", {})
OPERATIONS = {
    f"{method.upper()} {path}": operation
    for path, item in OPENAPI["paths"].items()
    for method, operation in item.items()
}
SETTINGS = make_settings()


# --------------------------------------------------------------------------- leaves and values


def _date_like(schema: dict[str, Any]) -> bool:
    return schema.get("format") in ("date-time", "date") or "\\d{4}-" in str(
        schema.get("pattern", "")
    )


def _mixed(valid: Any, max_length: int | None) -> st.SearchStrategy[Any]:
    general = ex.values(max_length)
    if valid is ex.ABSENT:
        return general
    return st.one_of(general, general, ex.near(valid, max_length))


def _header_strategy(name: str, request: ValidRequest) -> st.SearchStrategy[Any]:
    valid = request.headers.get(name, ex.ABSENT)
    general = _mixed(valid, 255)
    if name == "Authorization":
        token = valid.removeprefix("Bearer ") if isinstance(valid, str) else None
        claims = jwt.get_unverified_claims(token) if token else _sample_claims()
        forged = ex.signed_tokens(SETTINGS.jwt_secret, claims, prefix="Bearer ")
        return st.one_of(general, ex.texts().map(lambda t: "Bearer " + t), forged, forged)
    if name == "If-Match":
        tags = st.sampled_from(ex.INTS).map(lambda n: f'"{n}"')
        shapes = st.one_of(tags, tags.map(lambda t: "W/" + t), tags.map(lambda t: t + ", *"))
        return st.one_of(general, shapes)
    if name == "Content-Type":
        types = st.sampled_from(CONTENT_TYPES)
        return st.one_of(general, types, types)
    if name == "Accept-Language":
        return st.one_of(general, ex.texts().map(lambda t: f"en;q={t}"), st.sampled_from(LANGUAGES))
    return general


CONTENT_TYPES = [
    "application/json; charset=utf-16",
    "application/json; charset=bogus",
    "application/json; charset=" + "x" * 300,
    "application/problem+json",
    "application/vnd.onestop+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=" + "-" * 70,
    "text/plain",
    "text/json",
    "*/*",
    "application/",
    ";;;",
]
LANGUAGES = [
    "en;q=NaN",
    "en;q=1e308",
    "en;q=-0",
    "th;q=0, en;q=0",
    "*;q=0.5, en;q=0.5",
    ", ".join(["en;q=0.1"] * 200),
    "en-" + "x" * 900,
    "ไทย",
    "en;q=" + "9" * 500,
]


def _sample_claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": SETTINGS.jwt_issuer,
        "aud": SETTINGS.jwt_audience,
        "sub": str(uuid.uuid4()),
        "jti": "sweep",
        "typ": "access",
        "ver": 1,
        "fam": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }


def leaves_of(
    key: str, request: ValidRequest
) -> list[tuple[Leaf, list[Any], st.SearchStrategy[Any]]]:
    """Every leaf of the operation, with the sharp values always sent to it and the strategy
    Hypothesis draws more from."""
    operation = OPERATIONS[key]
    found: list[tuple[Leaf, list[Any], st.SearchStrategy[Any]]] = []
    document = request.form if request.form is not None else request.json
    for place, schema in body_leaves(request, operation, COMPONENTS).items():
        valid = value_at(document, place)
        strategy = _mixed(valid, schema.get("maxLength"))
        if _date_like(schema):
            strategy = st.one_of(strategy, ex.date_texts(), ex.date_texts())
        sharp = ex.sharp_for(schema, valid)
        if place and place[-1] == "refresh_token":
            sharp = [*sharp, *_forged(jwt.get_unverified_claims(valid))]
            forged = ex.signed_tokens(SETTINGS.jwt_secret, jwt.get_unverified_claims(valid))
            strategy = st.one_of(strategy, forged)
        found.append((Leaf("body", place), sharp, strategy))
    parameters = {p["name"]: p for p in operation.get("parameters", []) if p["in"] != "header"}
    for name in sorted(set(parameters) | set(request.query) | set(request.path_params)):
        where = "path" if name in request.path_params else "query"
        valid = request.path_params.get(name, request.query.get(name, ex.ABSENT))
        schema = parameters.get(name, {}).get("schema", {})
        strategy = _mixed(valid, schema.get("maxLength"))
        if name == "cursor":
            sharp, strategy = ex.SHARP_CURSORS, st.one_of(ex.cursors(), ex.cursors(), strategy)
        elif name.startswith("created_"):
            sharp = ex.SHARP_TIMES
            strategy = st.one_of(strategy, ex.date_texts(), ex.date_texts())
        elif where == "path":
            sharp, strategy = ex.SHARP_PATH_VALUES, st.one_of(strategy, ex.uuid_texts)
        else:
            sharp = ex.sharp_for(schema, valid)
        found.append((Leaf(where, name), sharp, strategy))
    for name in SWEPT_HEADERS:
        leaf = Leaf("header", name)
        found.append(
            (leaf, _sharp_header(name, request, operation), _header_strategy(name, request))
        )
    return found


def _forged(claims: dict[str, Any], prefix: str = "") -> list[ex.Forged]:
    """Tokens signed with the right key whose times are past what a date can hold."""
    return [
        ex.forge(SETTINGS.jwt_secret, claims, claim, value, prefix=prefix)
        for claim, value in ex.SHARP_CLAIMS
    ]


def _sharp_header(name: str, request: ValidRequest, operation: dict[str, Any]) -> list[Any]:
    """Sharp header values, for the headers the operation reads."""
    declared = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
    if name == "Authorization" and "Authorization" in request.headers:
        claims = jwt.get_unverified_claims(request.headers[name].removeprefix("Bearer "))
        return [*_forged(claims, prefix="Bearer "), "Bearer " + "ß" * 5000]
    if name.lower() in declared and name != "Accept-Language":
        growing = ex.sharp_for({"maxLength": 255}, request.headers.get(name, "x"))[:3]
        return [*growing, '"2147483648"', '"-0", W/"9223372036854775808"']
    if name == "Content-Type" and "requestBody" in operation:
        return ["application/json; charset=utf-16", "multipart/form-data; boundary=x"]
    if name == "Accept-Language":
        return ["en;q=NaN", "en;q=1e400, th;q=-0"]
    return []


# --------------------------------------------------------------------------- the sweep


@pytest.fixture
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same Argon2id at its smallest cost, so the budget goes into inputs, not hashing."""
    hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(passwords, "_hasher", lambda: hasher)


@pytest.fixture
async def raising_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose transport raises the app's exceptions instead of hiding them."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _in_savepoint(connection: AsyncConnection, run: Awaitable[Any]) -> Any:
    savepoint = await connection.begin_nested()
    try:
        return await run
    finally:
        if savepoint.is_active:
            await savepoint.rollback()


def test_every_operation_has_a_valid_request() -> None:
    assert sorted(set(OPERATIONS) - set(RECIPES)) == [], "add a valid request to the sweep"
    assert sorted(set(RECIPES) - set(OPERATIONS)) == [], "a swept operation no longer exists"


@pytest.mark.parametrize("key", sorted(OPERATIONS))
async def test_no_input_gives_a_server_error(
    key: str,
    connection: AsyncConnection,
    raising_client: httpx.AsyncClient,
    make_actor: MakeActor,
    session: AsyncSession,
    cheap_password_hashing: None,
) -> None:
    assert key in RECIPES, f"{key} has no valid request in the sweep: add one"
    world = World(raising_client, make_actor, session)
    request = await RECIPES[key](world)
    baseline = await _in_savepoint(connection, send(raising_client, build(request)))
    assert baseline.status is not None and 200 <= baseline.status < 300, (
        f"the valid request of {key} is not accepted: {baseline}"
    )
    failures: list[str] = []
    sent = 0
    for leaf, sharp, strategy in leaves_of(key, request):
        for value in [*sharp, *ex.draw_examples(strategy, EXAMPLES, f"{key} {leaf}")]:
            outcome = await _in_savepoint(
                connection, send(raising_client, build(request, leaf, value))
            )
            sent += 1
            if outcome.failed:
                failures.append(
                    f"{key} {leaf} = {shown(value)} -> {outcome.error or outcome.status}"
                )
    assert sent > 0
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures)
