"""Builds the FastAPI application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from routers import API_PREFIX
from routers.web import web_router
from service.platform.api_docs import (
    OPENAPI_PATH,
    docs_router,
    links_declared,
    preconditions_documented,
    problem_json_everywhere,
)
from service.platform.db import ReplayReadsThatWrite, create_engine, create_sessionmaker, is_sqlite
from service.platform.errors import install_error_handlers
from service.platform.headers import SecurityHeadersMiddleware
from service.platform.observability import (
    BodySizeLimitMiddleware,
    Metrics,
    RequestContextMiddleware,
)
from service.platform.request_rules import HeadAsGetMiddleware, check_request, inputs_by_route
from service.platform.settings import Settings, get_settings
from service.stream.broker import Broker
from service.stream.feeds import feed_for
from service.worker.runner import start_jobs

DESCRIPTION = """
Case intake and tracking for a social help center: volunteers report people in social
distress, caseworkers screen and route cases, supervisors watch the queues and partner agencies
answer referrals.

Every error is `application/problem+json` (RFC 9457) in the caller's language
(`Accept-Language`: Thai by default, or English); validation errors carry `errors[]` with JSON
pointers to the fields (`""` for a body that is not valid JSON), and unknown query parameters
are refused by name. HEAD is answered wherever GET is.
"""


def _routers() -> list[APIRouter]:
    """Every router of the app; each carries its full path."""
    from routers import (
        auth,
        cases,
        consent,
        deadline_queues,
        directory,
        health,
        helpers,
        meta,
        offers,
        policies,
        privacy,
        privacy_requests,
        queues,
        referrals,
        staff,
        stats,
        stream,
        users,
        webhooks,
    )

    return [
        health.router,
        auth.router,
        users.router,
        helpers.router,
        staff.router,
        cases.router,
        offers.router,
        referrals.router,
        meta.router,
        directory.router,
        policies.router,
        deadline_queues.router,
        queues.router,
        stats.router,
        stream.router,
        webhooks.router,
        privacy.router,
        privacy_requests.router,
        consent.router,
    ]


def set_aside_startup_objects() -> None:
    """Keep what startup built (modules, routes, schemas, the ORM's mappings: most of a
    worker's objects, and alive for as long as it is) out of the garbage collector's full
    collections. Each full collection scans every tracked object; over these it paused a
    serving worker for 100 to 220 ms every few seconds under load, the slowest requests of
    every queue and list. Frozen, a full collection scans only what requests left behind."""
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> FastAPI:
    """The application; pass `sessionmaker` to serve from an existing connection (tests)."""
    settings = settings or get_settings()
    settings.check_secrets()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if sessionmaker is not None:
            yield
            return
        engine = create_engine(
            settings.database_url,
            echo=settings.database_echo,
            pool_size=settings.database_pool_size,
        )
        app.state.sessionmaker = create_sessionmaker(engine)
        feed = feed_for(
            app.state.stream_broker,
            database_url=settings.database_url,
            sessionmaker=app.state.sessionmaker,
        )
        await feed.start()
        jobs = start_jobs(app.state.sessionmaker, settings) if settings.jobs_in_server else None
        set_aside_startup_objects()
        try:
            yield
        finally:
            if jobs is not None:
                await jobs.stop()
            await feed.stop()
            await engine.dispose()

    app = FastAPI(
        title="OneStop",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=OPENAPI_PATH,
        docs_url=None,  # served by `docs_router` from packaged files, not from a CDN
        redoc_url=None,
        dependencies=[Depends(check_request)],
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.stream_broker = Broker()
    if sessionmaker is not None:
        app.state.sessionmaker = sessionmaker

    install_error_handlers(app)

    routers = [*_routers(), docs_router, web_router]
    for router in routers:
        app.include_router(router)
    # The routers' own route objects are the ones a request's scope names.
    routes = [route for router in routers for route in router.routes]
    app.state.route_inputs = inputs_by_route(routes)
    app.state.route_methods = [
        (route.path_regex, frozenset(route.methods or ()))
        for route in routes
        if isinstance(route, APIRoute)
    ]

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "Last-Event-ID",
            ],
            expose_headers=[
                "ETag",
                "Location",
                "X-Request-ID",
                "Retry-After",
                "Idempotent-Replayed",
            ],
        )
    if is_sqlite(settings.database_url):
        app.add_middleware(ReplayReadsThatWrite)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    app.add_middleware(SecurityHeadersMiddleware, api_prefix=API_PREFIX)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        problem_json_everywhere(schema)
        preconditions_documented(schema)
        links_declared(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
