"""Every error is RFC 9457 problem JSON: unknown route, wrong method, validation, size, crash."""

from __future__ import annotations

import logging

import httpx

from auth.dependencies import Public
from models.enums import Role
from service.platform.observability import JsonFormatter

PROBLEM = "application/problem+json"


async def test_unknown_route_is_404_problem(client) -> None:
    response = await client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Nothing is served at this address.",
    }


async def test_wrong_method_is_405_problem(client) -> None:
    response = await client.delete("/api/v1/users/me")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert "GET" in response.headers["allow"]


async def test_validation_errors_point_at_fields_and_hide_values(client, actors) -> None:
    secret = "hunter2"
    response = await client.post(
        "/api/v1/users",
        json={"username": "ok.name", "display_name": "x", "role": "nope", "password": secret},
        headers=actors[Role.admin].headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 422 and body["type"].endswith("/validation-error")
    pointers = {e["pointer"] for e in body["errors"]}
    assert pointers == {"/role", "/password"}
    assert secret not in response.text


async def test_malformed_json_is_400_pointing_at_the_whole_body(client, actors) -> None:
    """As the OpenAPI documents it: 400, and the pointer `""`, not a character offset."""
    response = await client.post(
        "/api/v1/users",
        content=b'{"username": "x", not json',
        headers={**actors[Role.admin].headers, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/malformed-body")
    assert [(e["pointer"], e["type"]) for e in body["errors"]] == [("", "json_invalid")]


async def test_declared_oversized_body_is_413(client) -> None:
    response = await client.post("/api/v1/auth/refresh", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_streamed_oversized_body_is_413(client) -> None:
    async def chunks():
        for _ in range(20):
            yield b"y" * 65536

    response = await client.post(
        "/api/v1/auth/refresh",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_body_at_the_limit_is_accepted_by_the_size_check(client) -> None:
    payload = b'{"refresh_token": "' + b"a" * (1024 * 1024 - 100) + b'"}'
    response = await client.post(
        "/api/v1/auth/refresh", content=payload, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422  # too long a token, but not too large a body


async def test_unexpected_error_is_500_without_internals(app, caplog) -> None:
    caplog.set_level(logging.ERROR)

    @app.get("/boom", dependencies=[Public])
    async def boom() -> None:
        refused = "1101700230708"  # as a database error quotes the value it refused
        raise RuntimeError(f"SELECT secret FROM cases -- Key (id_number)=({refused})")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert response.json()["status"] == 500
    logged = [JsonFormatter().format(r) for r in caplog.records if r.name.startswith("onestop")]
    assert any('"error": "RuntimeError"' in line and "boom" in line for line in logged)
    assert not any("1101700230708" in line for line in logged)


async def test_openapi_documents_problem_answers(client) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert "Problem" in schema["components"]["schemas"]
    operation = schema["paths"]["/api/v1/users"]["post"]
    for status in ("401", "403", "409", "422"):
        assert "application/problem+json" in operation["responses"][status]["content"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]


async def test_405_lists_every_method_of_the_path(client) -> None:
    response = await client.put("/api/v1/users")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"


async def test_nul_characters_are_refused_not_stored(client, actors) -> None:
    """PostgreSQL cannot store NUL in text; it is a 422 with a pointer, on every database."""
    from tests.support.cases import CASES, intake_body

    case = await client.post(
        CASES, json=intake_body(summary="a\x00b"), headers=actors[Role.caseworker].headers
    )
    assert case.status_code == 422
    assert case.json()["errors"][0]["pointer"] == "/summary"
    languages = await client.post(
        CASES,
        json=intake_body(client={"languages": ["th", "\x00"]}),
        headers=actors[Role.caseworker].headers,
    )
    assert languages.status_code == 422
    user = await client.post(
        "/api/v1/users",
        json={
            "username": "nul.user",
            "display_name": "x\x00",
            "role": "volunteer",
            "password": "long enough password",
        },
        headers=actors[Role.admin].headers,
    )
    assert user.status_code == 422
    assert user.json()["errors"][0]["pointer"] == "/display_name"


async def test_sign_in_with_a_nul_username_is_a_failed_sign_in(client) -> None:
    response = await client.post(
        "/api/v1/auth/token", data={"username": "\x00\x12:\x80", "password": "whatever"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
