"""Liveness, readiness, metrics, request ids and logs without personal data."""

from __future__ import annotations

import logging

from models.enums import Role
from service.platform.observability import JsonFormatter


async def test_healthz(client) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_reports_database_and_migrations(client) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] and body["migrations"]
    assert body["revision"] == body["expected_revision"] is not None


async def test_readyz_is_503_when_migrations_are_behind(client, session) -> None:
    import sqlalchemy as sa

    await session.execute(sa.text("UPDATE alembic_version SET version_num = 'old'"))
    await session.commit()
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] is False


async def test_metrics_count_requests_by_route_template(client, actors) -> None:
    await client.get("/api/v1/users/me", headers=actors[Role.volunteer].headers)
    text = (await client.get("/metrics")).text
    assert 'onestop_http_requests_total{method="GET",route="/api/v1/users/me",status="200"}' in text
    assert "onestop_http_request_duration_seconds_bucket" in text


async def test_request_id_is_echoed_or_made(client) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id\n with spaces"})
    assert made.headers["x-request-id"] not in {"", "bad id\n with spaces"}


async def test_logs_carry_request_id_and_no_personal_data(client, caplog) -> None:
    caplog.set_level(logging.INFO)
    username = "somchai.private"
    await client.post(
        "/api/v1/auth/token?name=สมชาย",
        data={"username": username, "password": "my secret password"},
        headers={"X-Request-ID": "req-42"},
    )
    lines = [
        JsonFormatter().format(record)
        for record in caplog.records
        if record.name.startswith("onestop")
    ]
    text = "\n".join(lines)
    assert '"request_id": "req-42"' in text
    assert '"route": "/api/v1/auth/token"' in text
    for private in (username, "my secret password", "สมชาย"):
        assert private not in text


async def test_metrics_name_the_framework_routes_too(client) -> None:
    await client.get("/openapi.json")
    text = (await client.get("/metrics")).text
    assert 'onestop_http_requests_total{method="GET",route="/openapi.json",status="200"}' in text
