"""Health checks and metrics for operators and load balancers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from auth.dependencies import Public
from service.platform.db import Session
from service.platform.health import check_readiness

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


class ReadinessReport(BaseModel):
    status: str
    database: bool
    migrations: bool
    revision: str | None
    expected_revision: str | None


@router.get("/healthz", summary="Liveness check", dependencies=[Public])
async def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Readiness check",
    dependencies=[Public],
    responses={503: {"model": ReadinessReport, "description": "Not ready"}},
)
async def readyz(session: Session, response: Response) -> ReadinessReport:
    """Readiness: the database is reachable and migrated to this code's head revision."""
    readiness = await check_readiness(session)
    report = ReadinessReport(
        status="ready" if readiness.ready else "not-ready",
        database=readiness.database,
        migrations=readiness.migrations,
        revision=readiness.revision,
        expected_revision=readiness.expected_revision,
    )
    if not readiness.ready:
        response.status_code = 503
    return report


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    dependencies=[Public],
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics of every worker of this server (no personal data)."""
    body = request.app.state.metrics.exposition()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
