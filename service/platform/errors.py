"""Domain errors and the one place that turns every error into RFC 9457 problem JSON.

Services raise the errors below, never `HTTPException`. Each carries its HTTP status and a
problem `type`; `install_error_handlers` maps them, framework errors (404, 405, 422) and
unexpected exceptions to `application/problem+json`. Problem bodies never carry a stack
trace, SQL or the submitted values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://onestop.example/problems/"

log = logging.getLogger("onestop.errors")


class DomainError(Exception):
    """Base of every error a service may raise."""

    status: int = 400
    type_: str = "bad-request"
    title: str = "Bad request"
    keep_changes: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        self.errors = list(errors or [])


class Unauthenticated(DomainError):
    status, type_, title = 401, "unauthenticated", "Authentication required"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(DomainError):
    status, type_, title = 403, "forbidden", "Not allowed"


class NotFound(DomainError):
    status, type_, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, type_, title = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    type_, title = "invalid-transition", "Transition not allowed"


class PreconditionFailed(DomainError):
    status, type_, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(DomainError):
    status, type_, title = 428, "precondition-required", "Precondition required"


class Unprocessable(DomainError):
    """Input that is well-formed but wrong; `errors` holds JSON pointers to the fields."""

    status, type_, title = 422, "validation-error", "The request is not valid"


class TooManyRequests(DomainError):
    status, type_, title = 429, "too-many-requests", "Too many attempts"


def field_error(pointer: str, detail: str, kind: str = "invalid") -> dict[str, str]:
    """One entry of a problem's `errors[]`."""
    return {"pointer": pointer, "detail": detail, "type": kind}


def json_pointer(parts: Iterable[Any]) -> str:
    """An RFC 6901 pointer to a location in the request body."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "/" + "/".join(escaped)


def problem_response(
    status: int,
    *,
    type_: str,
    title: str,
    detail: str | None = None,
    instance: str | None = None,
    extra: Mapping[str, Any] | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_ if type_ == "about:blank" else PROBLEM_BASE + type_,
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = list(errors)
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Pydantic's error list as problem entries, without the submitted values."""
    entries: list[dict[str, str]] = []
    for error in exc.errors():
        location = list(error.get("loc", ()))
        source = location[0] if location else "body"
        rest = location[1:]
        message = str(error.get("msg", "invalid value"))
        kind = str(error.get("type", "invalid"))
        if source == "body":
            entries.append({"pointer": json_pointer(rest), "detail": message, "type": kind})
        elif source == "header":
            entries.append(
                {"header": str(rest[0]) if rest else "", "detail": message, "type": kind}
            )
        else:
            name = str(rest[0]) if rest else ""
            entries.append({"parameter": name, "detail": message, "type": kind, "in": str(source)})
    return entries


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (not only the first route that matched)."""
    methods: set[str] = set()
    for pattern, route_methods in getattr(request.app.state, "route_methods", ()):
        if pattern.match(request.url.path):
            methods |= route_methods
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Map every error the app can raise to problem JSON, once."""

    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return problem_response(
            exc.status,
            type_=exc.type_,
            title=exc.title,
            detail=exc.detail,
            extra=exc.extra,
            errors=exc.errors,
            headers=exc.headers,
        )

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
        headers = dict(exc.headers or {})
        if status == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem_response(
            status, type_="about:blank", title=phrase, detail=detail, headers=headers
        )

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return problem_response(
            422,
            type_=Unprocessable.type_,
            title=Unprocessable.title,
            detail="One or more fields are not valid; see errors.",
            errors=_validation_errors(exc),
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unhandled error",
            exc_info=exc,
            extra={"request_id": getattr(request.state, "request_id", None)},
        )
        return problem_response(
            500,
            type_="internal-error",
            title="Internal server error",
            detail="The server could not complete the request. It has been logged.",
        )

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)


def problem_schema_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem answers a route can give."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
