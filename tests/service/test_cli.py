"""The `onestop` command as a new user runs it: migrate, seed, serve, sign in."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import LiveServer, demo_login, run_cli

DEMO_USERS = [
    ("demo.volunteer", "volunteer"),
    ("demo.caseworker", "caseworker"),
    ("demo.supervisor", "supervisor"),
    ("demo.agency", "agency"),
    ("demo.hospital", "agency"),
    ("demo.admin", "admin"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("username", "role"), DEMO_USERS)
def test_demo_accounts_sign_in_over_http(demo_server: LiveServer, username, role) -> None:
    headers = demo_login(demo_server, username)
    me = httpx.get(demo_server.base_url + "/api/v1/users/me", headers=headers, timeout=10)
    assert me.status_code == 200
    assert me.json()["role"] == role


@pytest.mark.slow
def test_server_serves_docs_readiness_and_json_logs(demo_server: LiveServer) -> None:
    docs = httpx.get(demo_server.base_url + "/docs", timeout=10)
    assert docs.status_code == 200
    assert "server" not in docs.headers
    assert docs.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(demo_server.base_url + "/readyz", timeout=10).json()["status"] == "ready"
    demo_login(demo_server, "demo.volunteer")
    log = demo_server.log()
    assert '"route": "/api/v1/auth/token"' in log
    assert "demo.volunteer" not in log
    for line in log.splitlines():
        json.loads(line)


@pytest.mark.slow
def test_one_worker_serves_metrics_too(demo_server: LiveServer) -> None:
    httpx.get(demo_server.base_url + "/docs", timeout=10)
    metrics = httpx.get(demo_server.base_url + "/metrics", timeout=10).text
    assert 'onestop_http_requests_total{method="GET",route="/docs",status="200"}' in metrics


@pytest.mark.slow
def test_seeding_twice_is_harmless(demo_server: LiveServer, database_url: str) -> None:
    again = run_cli(database_url, "seed-demo")
    assert again.returncode == 0, again.stderr
    assert "accounts=6, organizations=13, organizations_created=0" in again.stdout


@pytest.mark.slow
def test_seeding_is_refused_outside_development(database_url: str) -> None:
    refused = run_cli(
        database_url,
        "seed-demo",
        ONESTOP_ENVIRONMENT="production",
        ONESTOP_JWT_SECRET="p" * 40,
        ONESTOP_DATA_KEY="k" * 40,
    )
    assert refused.returncode == 2
    assert "only for development" in refused.stderr


@pytest.mark.slow
def test_server_refuses_default_secrets_in_production(database_url: str) -> None:
    refused = run_cli(database_url, "serve", "--port", "1", ONESTOP_ENVIRONMENT="production")
    assert refused.returncode == 2
    assert "ONESTOP_JWT_SECRET" in refused.stderr


@pytest.mark.slow
def test_create_user_then_sign_in(demo_server: LiveServer, database_url: str) -> None:
    created = run_cli(
        database_url,
        "create-user",
        "field.worker",
        "--role",
        "volunteer",
        ONESTOP_NEW_USER_PASSWORD="a sufficiently long one",
    )
    assert created.returncode == 0, created.stderr
    demo_login(demo_server, "field.worker", "a sufficiently long one")
    duplicate = run_cli(
        database_url,
        "create-user",
        "field.worker",
        "--role",
        "volunteer",
        ONESTOP_NEW_USER_PASSWORD="a sufficiently long one",
    )
    assert duplicate.returncode == 2
