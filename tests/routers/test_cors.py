"""Browsers may call the API only from the configured origins."""

from __future__ import annotations

import httpx

from service.app import create_app
from tests.conftest import make_settings

ORIGIN = "https://app.onestop.example"


async def _client(sessionmaker, **settings) -> httpx.AsyncClient:
    app = create_app(make_settings(**settings), sessionmaker=sessionmaker)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_configured_origin_may_call_and_read_case_headers(sessionmaker) -> None:
    async with await _client(sessionmaker, cors_origins=[ORIGIN]) as client:
        preflight = await client.options(
            "/api/v1/cases",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,idempotency-key,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        answer = await client.get("/healthz", headers={"Origin": ORIGIN})
        exposed = answer.headers["access-control-expose-headers"].lower()
        for header in ("etag", "location", "idempotent-replayed", "retry-after"):
            assert header in exposed


async def test_other_origins_get_no_cors_headers(sessionmaker) -> None:
    async with await _client(sessionmaker, cors_origins=[ORIGIN]) as client:
        answer = await client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in answer.headers
    async with await _client(sessionmaker) as client:
        answer = await client.get("/healthz", headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in answer.headers
