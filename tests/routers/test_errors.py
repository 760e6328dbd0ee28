"""Every error is RFC 9457 problem JSON: unknown route, wrong method, validation, size, crash."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from auth.dependencies import Public
from models.case import CaseCreate
from models.enums import Role
from service.platform.errors import json_pointer
from service.platform.messages import FIELD_TEXT, PROBLEMS
from service.platform.observability import JsonFormatter
from tests.support.cases import CASES, create_case, intake_body
from tests.support.routes import app_routes

PROBLEM = "application/problem+json"
THAI = re.compile("[\u0e00-\u0e7f]")


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


# --------------------------------------------------------------------------- media types


JSON_ROUTES = [
    ("POST", "/api/v1/users", Role.admin),
    ("POST", "/api/v1/cases", Role.caseworker),
    ("PATCH", f"/api/v1/users/{uuid.UUID(int=1)}", Role.admin),
    ("POST", "/api/v1/auth/refresh", None),
]


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/x-www-form-urlencoded", b"username=a&password=b"),
        ("text/plain", b'{"summary": "x"}'),
        ("multipart/form-data; boundary=x", b"--x\r\n\r\n--x--\r\n"),
        (None, b'{"summary": "x"}'),
    ],
)
@pytest.mark.parametrize(("method", "path", "role"), JSON_ROUTES)
async def test_a_json_route_refuses_other_media_types_with_415(
    client, actors, method, path, role, content_type, content
) -> None:
    headers = dict(actors[role].headers) if role else {}
    if content_type:
        headers["content-type"] = content_type
    response = await client.request(method, path, content=content, headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/unsupported-media-type")
    accept = "accept-post" if method == "POST" else "accept-patch"
    assert response.headers[accept] == "application/json"
    assert "dictionary" not in response.text


async def test_a_json_suffix_media_type_is_json(client) -> None:
    response = await client.post(
        "/api/v1/auth/refresh",
        content=b'{"refresh_token": "not-a-token"}',
        headers={"content-type": "application/merge-patch+json; charset=utf-8"},
    )
    assert response.status_code == 401


async def test_the_sign_in_form_refuses_json_with_415(client) -> None:
    response = await client.post("/api/v1/auth/token", json={"username": "a", "password": "b"})
    assert response.status_code == 415
    assert response.headers["accept-post"] == "application/x-www-form-urlencoded"


# --------------------------------------------------------------------------- our own words


def _bad_intake() -> tuple[dict[str, Any], list[str]]:
    """An intake with one mistake of many kinds pydantic knows, and the values submitted."""
    body = intake_body(
        summary=12345,
        categories=["nope-category"],
        immediate_danger="perhaps-yes",
        urgency="urgent-ish",
        recorded_at="yesterday-evening",
        client_reference="not-a-uuid-value",
        client={"birth_year": "year-abc", "age_estimate": 999, "first_name": "ส" * 101},
        location={"province_code": "1x"},
        consent="given-consent",
        status="closed",
    )
    body.pop("reporter")
    body["client"]["languages"] = ["th"] * 11
    submitted = [
        "nope-category",
        "perhaps-yes",
        "urgent-ish",
        "yesterday-evening",
        "not-a-uuid-value",
        "year-abc",
        "999",
        "ส" * 101,
        "1x",
        "given-consent",
        "closed",
    ]
    return body, submitted


async def test_every_pydantic_error_is_listed_at_once_in_our_words(client, actors) -> None:
    body, submitted = _bad_intake()
    with pytest.raises(ValidationError) as raised:
        CaseCreate.model_validate(body)
    library = raised.value.errors()
    response = await client.post(
        CASES, json=body, headers={**actors[Role.caseworker].headers, "Accept-Language": "en"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert sorted(e["pointer"] for e in errors) == sorted(json_pointer(e["loc"]) for e in library)
    library_messages = {e["msg"] for e in library}
    for error in errors:
        assert error["detail"] not in library_messages
        assert not any(value in error["detail"] for value in submitted), error
        assert "Input should" not in error["detail"] and "String should" not in error["detail"]
    assert len({e["type"] for e in errors}) >= 10  # the mistakes were of many kinds


async def test_details_and_titles_are_thai_when_asked(client, actors) -> None:
    body, _ = _bad_intake()
    response = await client.post(
        CASES, json=body, headers={**actors[Role.caseworker].headers, "Accept-Language": "th"}
    )
    problem = response.json()
    assert response.headers["content-language"] == "th"
    assert THAI.search(problem["title"]) and THAI.search(problem["detail"])
    assert all(THAI.search(e["detail"]) for e in problem["errors"])
    english = await client.post(
        CASES, json=body, headers={**actors[Role.caseworker].headers, "Accept-Language": "en-GB"}
    )
    assert not any(THAI.search(e["detail"]) for e in english.json()["errors"])


async def test_domain_checks_speak_our_words_not_the_libraries(client, actors) -> None:
    """Our own checks (id, phone, area) are worded by the catalogue, without the values."""
    body = intake_body(
        client={"id_number": "1101700230709", "phone": "12"},
        reporter={"phone": "not a phone at all"},
        location={"province_code": "97", "district_code": None, "subdistrict_code": None},
    )
    body["location"] = {k: v for k, v in body["location"].items() if v is not None}
    body["location"].pop("postal_code")
    for language in ("en", "th"):
        response = await client.post(
            CASES,
            json=body,
            headers={**actors[Role.caseworker].headers, "Accept-Language": language},
        )
        assert response.status_code == 422
        errors = {e["pointer"]: e for e in response.json()["errors"]}
        assert set(errors) == {
            "/client/id_number",
            "/client/phone",
            "/reporter/phone",
            "/location/province_code",
        }
        for error in errors.values():
            assert error["detail"] == FIELD_TEXT[error["type"]].in_language(language)
            assert "97" not in error["detail"] and "(1)" not in error["detail"]


async def test_domain_errors_follow_the_callers_language(client, actors) -> None:
    path = f"{CASES}/{uuid.uuid4()}"
    english = await client.get(
        path, headers={**actors[Role.caseworker].headers, "Accept-Language": "en"}
    )
    thai = await client.get(
        path, headers={**actors[Role.caseworker].headers, "Accept-Language": "th"}
    )
    assert english.status_code == thai.status_code == 404
    assert english.json()["title"] == PROBLEMS["not-found"].title.en
    assert thai.json()["title"] == PROBLEMS["not-found"].title.th
    assert THAI.search(thai.json()["detail"])


async def test_framework_details_are_never_passed_on(app) -> None:
    """Starlette and FastAPI raise HTTPException with their own words (a form parser's
    message, say); the answer carries ours."""

    @app.get("/parser-refused", dependencies=[Public])
    async def parser_refused() -> None:
        raise StarletteHTTPException(400, "Missing boundary in multipart. (library text)")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/parser-refused", headers={"accept-language": "en"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == PROBLEMS["bad-request"].detail.en
    assert "library" not in response.text


# --------------------------------------------------------------------------- HEAD


def _sample_path(route: APIRoute, case_id: str) -> str:
    values = {
        "case_id": case_id,
        "user_id": str(uuid.uuid4()),
        "link_id": str(uuid.uuid4()),
        "referral_id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "service_id": str(uuid.uuid4()),
        "code": "10" if "provinces" in route.path else "1001",
        "name": "swagger-ui.css",
        "relative": "js/main.js",
    }
    return route.path_format.format(
        **{
            name: values[name] if name in values else str(uuid.uuid4())  # any other *_id
            for name in route.param_convertors
        }
    )


async def test_head_answers_wherever_get_does(app, client, actors) -> None:
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers)
    # The event stream answers until its token expires; its HEAD is tested with the stream.
    gets = [r for r in app_routes(app) if "GET" in r.methods and r.path != "/api/v1/stream"]
    assert len(gets) >= 20
    for route in gets:
        path = _sample_path(route, case["id"])
        got = await client.get(path, headers=headers)
        head = await client.head(path, headers=headers)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path


async def test_head_is_listed_in_allow_only_where_it_works(client) -> None:
    refused = await client.put("/api/v1/auth/token")
    assert "HEAD" not in refused.headers["allow"]
    head = await client.head("/api/v1/auth/token")
    assert head.status_code == 405 and head.headers["allow"] == "POST"
    listed = await client.put("/healthz")
    assert listed.headers["allow"] == "GET, HEAD"
    assert (await client.head("/healthz")).status_code == 200
