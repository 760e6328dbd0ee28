"""`onestop serve --workers 2`: every worker logs JSON, `/metrics` counts both, no value leaks.

Runs on the suite's database: PostgreSQL when `TEST_DATABASE_URL` names it, otherwise the run's
SQLite file (where the workers are two processes sharing one WAL database).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import run_cli, start_server, stop_server, wipe_database_blocking
from tests.support.cases import CASES, anonymous_body

MARKER = "zq-marker-77aa13"  # in every refused value below; no log line may carry it
PASSWORD = "two workers, one password"
NOT_COUNTED = {"/healthz", "/metrics"}  # the start-up probe and the scrape itself


def _plan(case_id: str, token: str) -> list[dict[str, Any]]:
    """Over two hundred requests: successes, a GET that writes, and refused values."""
    auth = {"Authorization": f"Bearer {token}"}
    requests: list[dict[str, Any]] = []
    for _ in range(16):
        requests += [
            {"method": "GET", "url": "/api/v1/users/me", "headers": auth},
            {"method": "GET", "url": f"{CASES}/{case_id}", "headers": auth},
            {"method": "POST", "url": CASES, "headers": auth, "json": anonymous_body()},
            {"method": "GET", "url": "/api/v1/meta/categories", "headers": auth},
            {"method": "GET", "url": CASES, "headers": auth, "params": {"status": MARKER}},
            {"method": "GET", "url": f"{CASES}/{MARKER}", "headers": auth},
            {"method": "GET", "url": CASES, "headers": auth, "params": {"limit": "1" * 30}},
            {
                "method": "POST",
                "url": CASES,
                "headers": auth,
                "json": anonymous_body(summary=MARKER, categories=[MARKER]),
            },
            {"method": "GET", "url": f"/{MARKER}"},
            {"method": "GET", "url": "/api/v1/users/me", "headers": {"Authorization": MARKER}},
            {
                "method": "GET",
                "url": "/api/v1/users/me",
                "headers": {**auth, "X-Request-ID": f"{MARKER} not a token"},
            },
            {"method": "DELETE", "url": f"{CASES}/{case_id}", "headers": auth},
            {"method": "PATCH", "url": f"{CASES}/{case_id}", "headers": auth, "json": {}},
            {"method": "GET", "url": "/api/v1/cases?q=" + "ก" * 3 + MARKER, "headers": auth},
        ]
    requests += [
        {
            "method": "POST",
            "url": "/api/v1/auth/token",
            "data": {"username": f"{MARKER}.{n}", "password": MARKER},
        }
        for n in range(5)
    ]
    return requests


def _send_all(base_url: str, requests: list[dict[str, Any]]) -> list[httpx.Response]:
    """Eight clients at once, a new connection per request, so both workers take some."""

    def send(request: dict[str, Any]) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            return client.request(**request)

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(send, requests))


def _counted(metrics_text: str) -> Counter[str]:
    """Requests counted by `/metrics`, by status, outside the probe and the scrape."""
    counted: Counter[str] = Counter()
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            counts = sample.name == "onestop_http_requests_total"
            if counts and sample.labels["route"] not in NOT_COUNTED:
                counted[sample.labels["status"]] += int(sample.value)
    return counted


@pytest.mark.slow
def test_two_workers_log_json_and_count_every_request(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    wipe_database_blocking(database_url)
    created = run_cli(
        database_url, "create-user", "two.workers", "--role", "caseworker",
        ONESTOP_NEW_USER_PASSWORD=PASSWORD,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    server = start_server(database_url, workers=2, TMPDIR=str(tmp_path))
    try:
        login = httpx.post(
            server.base_url + "/api/v1/auth/token",
            data={"username": "two.workers", "password": PASSWORD},
            timeout=30,
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        case = httpx.post(
            server.base_url + CASES,
            json=anonymous_body(),
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert case.status_code == 201, case.text
        answers = [login, case, *_send_all(server.base_url, _plan(case.json()["id"], token))]
        sent = Counter(str(a.status_code) for a in answers)
        deadline = time.monotonic() + 10
        while True:  # a worker counts a request just after answering it
            counted = _counted(httpx.get(server.base_url + "/metrics", timeout=10).text)
            if counted == sent or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        stop_server(server)
        wipe_database_blocking(database_url)

    assert sum(sent.values()) > 200
    assert not [s for s in sent if s.startswith("5")], sent
    assert {"200", "201", "401", "404", "405", "422"} <= set(sent), sent
    assert counted == sent
    for answer in answers:
        assert "server" not in answer.headers
        assert answer.headers["x-content-type-options"] == "nosniff"

    log = server.log()
    assert MARKER not in log
    entries = [json.loads(line) for line in log.splitlines()]  # every line is JSON
    access = [e for e in entries if e["logger"] == "onestop.access"]
    served = [e for e in access if e["route"] not in NOT_COUNTED]
    assert len(served) == sum(sent.values())
    assert len({e["pid"] for e in served}) == 2, "both workers served requests"
    for entry in access:
        assert entry["request_id"] and isinstance(entry["duration_ms"], float)
        assert entry["route"] == "unmatched" or entry["route"].startswith(("/api/v1/", "/"))
        assert "?" not in entry["route"]
    assert {e["route"] for e in served} >= {
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/users/me",
        "unmatched",
    }
    assert list(tmp_path.iterdir()) == [], "the metrics directory is removed on exit"
