"""Domain errors and the one place that turns every error into RFC 9457 problem JSON.

Services raise the errors below, never `HTTPException`. Each carries its HTTP status and a
problem `type`; `install_error_handlers` maps them, framework errors (400, 404, 405, 422) and
unexpected exceptions to `application/problem+json`. Titles and details are our own words
(`service.platform.messages`), in the caller's language (`Accept-Language`, Thai by default,
like labels). Problem bodies never carry a stack trace, SQL, a library's message or the
submitted values.
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

from service.platform.messages import (
    DETAILS,
    FIELD_TEXT,
    GENERIC_FIELD_TEXT,
    HTTP_PROBLEMS,
    PROBLEMS,
    field_sentence,
)
from service.reference_data.labels import Language, preferred_language

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://onestop.example/problems/"

log = logging.getLogger("onestop.errors")


class DomainError(Exception):
    """Base of every error a service may raise.

    `code` names a sentence of `messages.DETAILS`, given in the caller's language. A plain
    `detail` (English) is kept for English callers; others get the problem type's own detail.
    """

    status: int = 400
    type_: str = "bad-request"
    title: str = PROBLEMS["bad-request"].title.en
    keep_changes: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        if code is not None and code not in DETAILS:
            raise KeyError(f"no message has the code {code!r}")
        self.code = code
        self.own_detail = detail
        self.detail = detail or (DETAILS[code].en if code else self.default_detail("en"))
        super().__init__(self.detail)
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        self.errors = list(errors or [])

    def default_detail(self, language: Language) -> str:
        """The detail of this problem type when nothing more precise is known."""
        text = PROBLEMS.get(self.type_)
        return text.detail.in_language(language) if text else self.title

    def detail_in(self, language: Language) -> str:
        """The detail in `language`: the coded sentence, else the service's own English
        detail for English callers, else the problem type's detail."""
        if self.code is not None:
            return DETAILS[self.code].in_language(language)
        if self.own_detail and language == "en":
            return self.own_detail
        return self.default_detail(language)

    def title_in(self, language: Language) -> str:
        """The title of this problem type in `language`."""
        text = PROBLEMS.get(self.type_)
        return text.title.in_language(language) if text else self.title


class Unauthenticated(DomainError):
    status, type_, title = 401, "unauthenticated", PROBLEMS["unauthenticated"].title.en

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        # RFC 6750 section 3.1: a request without credentials gets a challenge with no error.
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(DomainError):
    status, type_, title = 403, "forbidden", PROBLEMS["forbidden"].title.en


class NotFound(DomainError):
    status, type_, title = 404, "not-found", PROBLEMS["not-found"].title.en


class Conflict(DomainError):
    status, type_, title = 409, "conflict", PROBLEMS["conflict"].title.en


class InvalidTransition(Conflict):
    type_, title = "invalid-transition", PROBLEMS["invalid-transition"].title.en


class PreconditionFailed(DomainError):
    status, type_, title = 412, "precondition-failed", PROBLEMS["precondition-failed"].title.en


class UnsupportedMediaType(DomainError):
    status = 415
    type_, title = "unsupported-media-type", PROBLEMS["unsupported-media-type"].title.en


class Unprocessable(DomainError):
    """Input that is well-formed but wrong; `errors` holds JSON pointers to the fields."""

    status, type_, title = 422, "validation-error", PROBLEMS["validation-error"].title.en


class PreconditionRequired(DomainError):
    status = 428
    type_, title = "precondition-required", PROBLEMS["precondition-required"].title.en


class TooManyRequests(DomainError):
    status, type_, title = 429, "too-many-requests", PROBLEMS["too-many-requests"].title.en


def field_error(pointer: str, detail: str, kind: str = "invalid") -> dict[str, str]:
    """One entry of a problem's `errors[]`.

    `kind` is the entry's `type`; when `messages.FIELD_TEXT` has a sentence for it, that
    sentence replaces `detail` in the answer (in the caller's language), so `detail` is only
    shown, to English callers, for kinds the catalogue does not know.
    """
    return {"pointer": pointer, "detail": detail, "type": kind}


def coded_field_error(pointer: str, code: str) -> dict[str, str]:
    """One entry of a problem's `errors[]` whose words come from the catalogue by `code`."""
    if code not in FIELD_TEXT:
        raise KeyError(f"no field message has the code {code!r}")
    return field_error(pointer, FIELD_TEXT[code].en, code)


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
    language: Language | None = None,
) -> JSONResponse:
    """A problem JSON answer; `language` is announced when the words were chosen by it."""
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
    all_headers = dict(headers or {})
    if language is not None:
        all_headers["Content-Language"] = language
        all_headers["Vary"] = "Accept-Language"
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=all_headers
    )


def request_language(request: Request) -> Language:
    """The language of the caller's problem answers, chosen like the labels' language."""
    return preferred_language(request.headers.get("accept-language"))


def localised_errors(
    entries: Sequence[Mapping[str, Any]], language: Language
) -> list[dict[str, Any]]:
    """Field errors with the catalogue's sentence for their type, in `language`."""
    localised: list[dict[str, Any]] = []
    for entry in entries:
        copy = dict(entry)
        sentence = field_sentence(str(copy.get("type", "")), language)
        if sentence is not None:
            copy["detail"] = sentence
        elif language != "en":
            copy["detail"] = GENERIC_FIELD_TEXT.in_language(language)
        localised.append(copy)
    return localised


def _validation_entry(error: Mapping[str, Any], language: Language) -> dict[str, str]:
    """One pydantic error as a problem entry: our sentence, never its `msg` nor `input`."""
    location = list(error.get("loc", ()))
    source = location[0] if location else "body"
    rest = location[1:]
    kind = str(error.get("type", "invalid"))
    detail = field_sentence(kind, language, limits=error.get("ctx")) or (
        GENERIC_FIELD_TEXT.in_language(language)
    )
    if source == "body":
        # A syntax error's location is a character offset, not a member of the body.
        pointer = "" if kind == "json_invalid" else json_pointer(rest)
        return {"pointer": pointer, "detail": detail, "type": kind}
    if source == "header":
        return {"header": str(rest[0]) if rest else "", "detail": detail, "type": kind}
    name = str(rest[0]) if rest else ""
    return {"parameter": name, "detail": detail, "type": kind, "in": str(source)}


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
        language = request_language(request)
        return problem_response(
            exc.status,
            type_=exc.type_,
            title=exc.title_in(language),
            detail=exc.detail_in(language),
            extra=exc.extra,
            errors=localised_errors(exc.errors, language),
            headers=exc.headers,
            language=language,
        )

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        language = request_language(request)
        status = exc.status_code
        text = HTTP_PROBLEMS.get(status)
        headers = dict(exc.headers or {})
        if status == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        # The framework's own `detail` is library text; it is never passed on.
        return problem_response(
            status,
            type_="about:blank",
            title=text.title.in_language(language) if text else str(status),
            detail=text.detail.in_language(language) if text else None,
            headers=headers,
            language=language,
        )

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        language = request_language(request)
        entries = [_validation_entry(error, language) for error in exc.errors()]
        if any(entry["type"] == "json_invalid" for entry in entries):
            text = PROBLEMS["malformed-body"]
            status, type_ = 400, "malformed-body"
        else:
            text = PROBLEMS[Unprocessable.type_]
            status, type_ = 422, Unprocessable.type_
        return problem_response(
            status,
            type_=type_,
            title=text.title.in_language(language),
            detail=text.detail.in_language(language),
            errors=entries,
            language=language,
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unhandled error",
            exc_info=exc,
            extra={"request_id": getattr(request.state, "request_id", None)},
        )
        language = request_language(request)
        text = PROBLEMS["internal-error"]
        return problem_response(
            500,
            type_="internal-error",
            title=text.title.in_language(language),
            detail=text.detail.in_language(language),
            language=language,
        )

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)


_EXAMPLE_TYPES: dict[int, str] = {
    400: "malformed-body",
    401: Unauthenticated.type_,
    403: Forbidden.type_,
    404: NotFound.type_,
    409: Conflict.type_,
    412: PreconditionFailed.type_,
    413: "payload-too-large",
    415: UnsupportedMediaType.type_,
    422: Unprocessable.type_,
    428: PreconditionRequired.type_,
    429: TooManyRequests.type_,
    500: "internal-error",
}


def _example(status: int, detail: str | None = None, **more: Any) -> dict[str, Any]:
    """An English problem body of `status` as the handlers above write it."""
    type_ = _EXAMPLE_TYPES[status]
    text = PROBLEMS[type_]
    body = {
        "type": PROBLEM_BASE + type_,
        "title": text.title.en,
        "status": status,
        "detail": detail or text.detail.en,
    }
    return {**body, **more}


def _entry(kind: str, **where: str) -> dict[str, str]:
    return {**where, "detail": FIELD_TEXT[kind].en, "type": kind}


def problem_examples(status: int) -> dict[str, dict[str, Any]]:
    """OpenAPI `examples` of the problem answers of `status` (empty when none is written)."""
    if status == 401:
        return {
            "no-token": {"value": _example(401, DETAILS["token.missing"].en)},
            "expired": {"value": _example(401, DETAILS["token.expired"].en)},
        }
    if status not in _EXAMPLE_TYPES:
        return {}
    more: dict[str, Any] = {}
    if status == 400:
        more["errors"] = [_entry("json_invalid", pointer="")]
    elif status == 412:
        more["current_etag"] = '"4"'
    elif status == 422:
        more["errors"] = [
            _entry("missing", pointer="/summary"),
            _entry("thai_id_check_digit", pointer="/client/id_number"),
        ]
    elif status == 428:
        more["errors"] = [_entry("missing", header="If-Match")]
    return {PROBLEMS[_EXAMPLE_TYPES[status]].title.en: {"value": _example(status, **more)}}


def problem_content(status: int) -> dict[str, Any]:
    """The OpenAPI `content` of a problem answer of `status`, with examples."""
    media: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/Problem"}}
    examples = problem_examples(status)
    if examples:
        media["examples"] = examples
    return {PROBLEM_MEDIA_TYPE: media}


def problem_schema_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem answers a route can give."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": problem_content(status),
        }
        for status in statuses
    }
