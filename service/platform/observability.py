"""Structured logs with a request id, Prometheus metrics and the request-size limit.

Logs carry the method, the route template (never the raw path or query string, which may hold
names being searched), the status, the duration and the request id: no personal data. An error
line carries the exception's type, the types of its causes and its stack as `file:line in
function` frames; never the exception's message, source lines or local variables, because
database errors quote the values they refused.

Logging is configured by a `dictConfig` dictionary (`logging_config`) that uvicorn applies in
every process it starts, so each worker logs JSON. Metrics are kept per process; under
`onestop serve` they live in Prometheus' multiprocess directory (`PROMETHEUS_MULTIPROC_DIR`) and
`/metrics` adds up every worker's.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import time
import traceback
import uuid
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.platform.errors import problem_response
from service.platform.settings import METRICS_DIR_VARIABLE

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_WITHHELD = "[withheld]"
access_log = logging.getLogger("onestop.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the request being served."""

    FIELDS = ("method", "route", "status", "duration_ms", "user_id", "event")

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": message,
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for field in self.FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info and record.exc_info[1] is not None:
            error, stack = record.exc_info[1], record.exc_info[2]
            chain = list(_exception_chain(error))
            # Some libraries put the exception in the message itself (asyncio does).
            entry["message"] = _withhold(message, chain)
            entry["error"] = _type_name(error)
            if len(chain) > 1:
                entry["causes"] = [_type_name(cause) for cause in chain[1:]]
            entry["stack"] = _frames(stack)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _exception_chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _type_name(error: BaseException) -> str:
    kind = type(error)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _withhold(message: str, chain: list[BaseException]) -> str:
    for error in chain:
        for text in (repr(error), str(error)):
            if text:
                message = message.replace(text, _WITHHELD)
    return message


def _frames(stack: TracebackType | None) -> list[str]:
    return [
        f"{frame.f_code.co_filename}:{line} in {frame.f_code.co_name}"
        for frame, line in traceback.walk_tb(stack)
    ]


def logging_config(level: str) -> dict[str, Any]:
    """Every log line, ours and the server's, as JSON on standard error (`dictConfig` form).

    uvicorn's own access log is off: it prints raw paths with query strings; ours prints
    route templates.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            "alembic": {"level": "WARNING"},
        },
    }


class Metrics:
    """The Prometheus collectors of one app (own registry, so apps in tests do not clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "onestop_http_requests",
            "HTTP requests answered",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.duration = Histogram(
            "onestop_http_request_duration_seconds",
            "Time to answer HTTP requests",
            ("method", "route"),
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format: every worker's when there are several."""
        directory = os.environ.get(METRICS_DIR_VARIABLE)
        if not directory:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def process_stopped(self) -> None:
        """Tell the multiprocess directory this worker is gone (its live gauges with it)."""
        if os.environ.get(METRICS_DIR_VARIABLE):
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    # The framework's own routes (/docs, /openapi.json) name only their endpoint.
    endpoint = scope.get("endpoint")
    for candidate in getattr(scope.get("app"), "routes", ()) if endpoint else ():
        if getattr(candidate, "endpoint", None) is endpoint:
            return str(candidate.path)
    return "unmatched"


class RequestContextMiddleware:
    """Gives every request an id (kept from `X-Request-ID` when sane), logs and counts it.

    It is the outermost of the app's middlewares that sees requests, so it also answers an
    unexpected error itself, through the app's one handler for them: that answer then carries
    the request id and the headers every answer has, and counts like any other.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            if status_holder["started"]:
                raise
            await _answer_unexpected(scope, receive, send_with_id, error)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status_holder["status"])).inc()
            self.metrics.duration.labels(method, route).observe(elapsed)
            state = scope.get("state") or {}
            user_id = state.get("user_id")
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status_holder["status"],
                    "duration_ms": round(elapsed * 1000, 2),
                    "user_id": str(user_id) if user_id else None,
                    "request_id": request_id,
                },
            )
            request_id_var.reset(token)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_and_note_shutdown(message: Message) -> None:
            await send(message)
            if message["type"] == "lifespan.shutdown.complete":
                self.metrics.process_stopped()

        await self.app(scope, receive, send_and_note_shutdown)


async def _answer_unexpected(scope: Scope, receive: Receive, send: Send, error: Exception) -> None:
    """Answer with the app's handler for unexpected errors (which logs them), if it has one."""
    handler = getattr(scope.get("app"), "exception_handlers", {}).get(Exception)
    if handler is None:
        raise error
    response = await handler(Request(scope, receive), error)
    await response(scope, receive, send)


class BodySizeLimitMiddleware:
    """Refuses request bodies over the limit with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = False
            if too_large:
                await self._refuse(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        whole = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            type_="payload-too-large",
            title="Request body too large",
            detail=f"Request bodies are limited to {self.max_bytes} bytes.",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
