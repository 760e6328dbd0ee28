"""Headers on every answer: `nosniff` everywhere, `no-store` on the API unless a route opts out."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import httpx

from auth.dependencies import Public
from models.enums import Role
from service.platform.observability import JsonFormatter
from tests.conftest import MakeActor
from tests.support.cases import CASES, anonymous_body, create_case

API = "/api/v1"
META_CACHE = "private, max-age=3600"
PATH_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
SAMPLES = {"code": "10"}


def _concrete(path: str) -> str:
    return PATH_PARAMETER.sub(lambda m: SAMPLES.get(m.group(1), str(uuid.uuid4())), path)


def assert_headers(response: httpx.Response) -> None:
    """The headers the answer to `response.request` must carry."""
    path = response.request.url.path
    where = f"{response.request.method} {path} -> {response.status_code}"
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert "server" not in response.headers, where
    if not path.startswith(API + "/"):
        return
    if path.startswith(API + "/meta/") and response.status_code < 400:
        assert response.headers.get("cache-control") == META_CACHE, where
    else:
        assert response.headers.get("cache-control") == "no-store", where


async def test_every_route_answers_with_the_headers(app, client, make_actor: MakeActor) -> None:
    seen: set[tuple[bool, int]] = set()
    operations = [
        (method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
    ]
    operations += [("GET", route.path) for route in app.routes if type(route).__name__ == "Route"]
    assert len(operations) > 30
    for method, path in operations:
        # A fresh caller each time: some routes end the caller's session.
        callers: list[dict[str, str]] = [
            {},
            (await make_actor(Role.supervisor)).headers,
            (await make_actor(Role.admin)).headers,
        ]
        if path == API + "/stream":
            callers = callers[:1]  # a signed-in stream answers until its token expires
        for headers in callers:
            response = await client.request(method, _concrete(path), headers=headers)
            assert_headers(response)
            seen.add((path.startswith(API + "/meta/"), response.status_code))
    # The walk reached successful answers, personal and reference, as well as errors.
    assert {(False, 200), (True, 200), (False, 401), (False, 422)} <= seen


async def test_answers_with_personal_data_are_not_stored(client, actors) -> None:
    caseworker = actors[Role.caseworker].headers
    case = await create_case(client, caseworker)
    created = await client.post(CASES, json={"summary": "x"}, headers=caseworker)
    answers = [
        created,
        await client.get(CASES, headers=caseworker),
        await client.get(f"{CASES}/{case['id']}", headers=caseworker),
        await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker),
        await client.get(f"{CASES}/{case['id']}/notes", headers=caseworker),
        await client.get(f"{API}/users/me", headers=caseworker),
        await client.get(f"{API}/users", headers=actors[Role.admin].headers),
    ]
    assert [a.status_code for a in answers] == [422, 200, 200, 200, 200, 200, 200]
    for answer in answers:
        assert_headers(answer)


async def test_the_intake_answer_is_not_stored(client, actors) -> None:
    response = await client.post(
        CASES, json=anonymous_body(), headers=actors[Role.volunteer].headers
    )
    assert response.status_code == 201
    assert_headers(response)


async def test_reference_data_errors_are_not_stored(client, actors) -> None:
    unauthenticated = await client.get(f"{API}/meta/categories")
    missing = await client.get(
        f"{API}/meta/provinces/99/districts", headers=actors[Role.volunteer].headers
    )
    cached = await client.get(f"{API}/meta/categories", headers=actors[Role.volunteer].headers)
    assert [r.status_code for r in (unauthenticated, missing, cached)] == [401, 404, 200]
    for response in (unauthenticated, missing, cached):
        assert_headers(response)


async def test_unmatched_paths_and_methods_carry_the_headers(client) -> None:
    for response in (
        await client.get(f"{API}/no-such-thing"),
        await client.delete(f"{API}/users/me"),
        await client.get("/no-such-thing"),
        await client.get("/docs"),
        await client.get("/openapi.json"),
    ):
        assert_headers(response)


async def test_an_unexpected_error_carries_the_headers_and_request_id(app, caplog) -> None:
    caplog.set_level(logging.INFO)
    marker = "zq-unexpected-4471"

    @app.get(f"{API}/test-only/boom", dependencies=[Public])
    async def boom() -> dict[str, Any]:
        raise RuntimeError(f"invalid input for query argument $2: {marker}")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get(f"{API}/test-only/boom", headers={"X-Request-ID": "req-500"})
        metrics = (await client.get("/metrics")).text
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    assert_headers(response)
    assert marker not in response.text
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name.startswith("onestop")]
    assert any('"error": "RuntimeError"' in line and '"req-500"' in line for line in lines)
    assert any('"status": 500' in line and '"logger": "onestop.access"' in line for line in lines)
    assert not any(marker in line for line in lines)
    assert f'route="{API}/test-only/boom",status="500"' in metrics
