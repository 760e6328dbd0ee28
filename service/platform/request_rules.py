"""What every request is held to before its handler runs, whatever the route.

- A body must come in the media type the operation reads (JSON, or the sign-in form);
  anything else is 415, never a 422 about a "dictionary".
- Every query parameter must be one the operation declares: a misspelt filter (`?stauts=`)
  is a 422 naming it, never a silently unfiltered list.
- HEAD is answered wherever GET is, as the same answer without its body (RFC 9110 9.3.2).

The allowed names and media types are read from each route's declared inputs when the app is
built, so a new route is covered without being listed anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from fastapi import Request, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.platform.errors import Unprocessable, UnsupportedMediaType
from service.platform.messages import FIELD_TEXT

BodyKind = Literal["json", "form"]

FORM_MEDIA_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# RFC 5789 and the W3C's Linked Data Platform name the header that lists what a method takes.
_ACCEPT_HEADER = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}
_ACCEPTED: dict[BodyKind, str] = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
}


@dataclass(frozen=True)
class RouteInputs:
    """What a route reads from a request besides its path."""

    query_names: frozenset[str]
    body: BodyKind | None


def route_inputs(route: APIRoute) -> RouteInputs:
    """The query parameters (by their public names) and the body kind a route declares."""
    names = frozenset(
        field.alias
        for field in get_flat_params(route.dependant)
        if isinstance(field.field_info, params.Query)
    )
    body: BodyKind | None = None
    if route.body_field is not None:
        body = "form" if isinstance(route.body_field.field_info, params.Form) else "json"
    return RouteInputs(query_names=names, body=body)


def inputs_by_route(routes: Iterable[object]) -> dict[int, RouteInputs]:
    """`route_inputs` of every API route by the route's identity (routes are not hashable),
    computed once when the app is built."""
    return {id(route): route_inputs(route) for route in routes if isinstance(route, APIRoute)}


def media_type_fits(content_type: str | None, body: BodyKind) -> bool:
    """Whether a Content-Type header names a media type of the body kind (parameters aside)."""
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    if body == "form":
        return media_type in FORM_MEDIA_TYPES
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _has_body(request: Request) -> bool:
    """Whether the request carries a body, from its framing headers (never by reading it)."""
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in request.headers


def unknown_query_errors(names: Iterable[str], allowed: frozenset[str]) -> list[dict[str, str]]:
    """One error entry per query parameter name that is not allowed, in order, once each."""
    unknown = [name for name in dict.fromkeys(names) if name not in allowed]
    return [
        {
            "parameter": name,
            "in": "query",
            "detail": FIELD_TEXT["unknown_parameter"].en,
            "type": "unknown_parameter",
        }
        for name in unknown
    ]


async def check_request(request: Request) -> None:
    """Refuse a body in another media type than the route reads, and unknown parameters."""
    route = request.scope.get("route")
    inputs = request.app.state.route_inputs.get(id(route)) if route is not None else None
    if inputs is None:
        return
    body, content_type = inputs.body, request.headers.get("content-type")
    if body and _has_body(request) and not media_type_fits(content_type, body):
        header = _ACCEPT_HEADER.get(request.method)
        raise UnsupportedMediaType(
            code=f"body.{body}", headers={header: _ACCEPTED[body]} if header else None
        )
    errors = unknown_query_errors(request.query_params.keys(), inputs.query_names)
    if errors:
        raise Unprocessable(code="query.unknown", errors=errors)


class HeadAsGetMiddleware:
    """Serves HEAD through the GET route of the path, and drops the body of the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        # The scope is changed in place and restored, so the outer middleware logs and counts
        # a HEAD on the route that served it.
        scope["method"] = "GET"
        try:
            await self.app(scope, receive, send_without_body)
        finally:
            scope["method"] = "HEAD"
