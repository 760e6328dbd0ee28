"""What uvicorn itself refuses, before the app sees it, is problem JSON too.

A real uvicorn on loopback, with the protocol classes `onestop serve` is to use, is sent raw
bytes no HTTP client library would write.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.platform.messages import PROBLEMS
from service.reference_data.labels import DEFAULT_LANGUAGE
from tests.conftest import ROOT, _free_port, start_server

PROTOCOLS = {
    "httptools": "service.platform.http_protocols:ProblemHttpToolsProtocol",
    "h11": "service.platform.http_protocols:ProblemH11Protocol",
}
REFUSED_BY_BOTH = [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\x00b\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
    b"GET /he althz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP at all\r\n\r\n",
]
# httptools, which uvicorn picks when installed, also refuses other control characters in a
# header value; h11 lets them through to the app, which answers normally.
REFUSED_BY_HTTPTOOLS = [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\x01b\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\x7fb\r\n\r\n",
]
CASES = [("httptools", raw) for raw in REFUSED_BY_BOTH + REFUSED_BY_HTTPTOOLS] + [
    ("h11", raw) for raw in REFUSED_BY_BOTH
]


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[dict[str, str]]:
    started: dict[str, str] = {}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, protocol in PROTOCOLS.items():
            process, started[name] = _start(protocol, database_url)
            processes.append(process)
        yield started
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _start(protocol: str, database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn serving the app with `protocol`, ready when /healthz answers."""
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="onestop-uvicorn-", suffix=".log")[1])
    code = (
        "import uvicorn; uvicorn.run('service.app:create_app', factory=True, "
        f"host='127.0.0.1', port={port}, http={protocol!r}, log_level='warning')"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ONESTOP_ENVIRONMENT": "test",
        "ONESTOP_JWT_SECRET": "raw-http-jwt-secret-" + "z" * 32,
        "ONESTOP_DATA_KEY": "raw-http-data-key-" + "w" * 32,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, env=environment, stdout=output, stderr=output
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return process, base_url
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.terminate()
                raise RuntimeError(log.read_text(errors="replace")) from None
            time.sleep(0.2)


def _raw(base_url: str, request: bytes) -> tuple[str, dict[str, str], bytes]:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status_line, headers, body


@pytest.mark.slow
@pytest.mark.parametrize(("protocol", "request_bytes"), CASES)
def test_an_unparsable_request_is_a_problem(
    servers: dict[str, str], protocol: str, request_bytes: bytes
) -> None:
    status_line, headers, body = _raw(servers[protocol], request_bytes)
    assert status_line.startswith("HTTP/1.1 400")
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    assert problem["status"] == 400
    assert problem["type"].endswith("/bad-request")
    assert problem["title"] == PROBLEMS["bad-request"].title.in_language(DEFAULT_LANGUAGE)


@pytest.mark.slow
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_parsable_request_still_reaches_the_app(servers: dict[str, str], protocol: str) -> None:
    server = servers[protocol]
    status_line, headers, body = _raw(
        server, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert status_line.startswith("HTTP/1.1 200")
    assert body == b""
    status_line, headers, body = _raw(
        server, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert status_line.startswith("HTTP/1.1 404")
    assert headers["content-type"] == "application/problem+json"


@pytest.mark.slow
def test_onestop_serve_answers_unparsable_requests_with_problems(database_url: str) -> None:
    """`onestop serve` itself runs the protocol classes, not only a bare uvicorn."""
    server = start_server(database_url)
    try:
        for request_bytes in REFUSED_BY_BOTH + REFUSED_BY_HTTPTOOLS:
            status_line, headers, body = _raw(server.base_url, request_bytes)
            assert status_line.startswith("HTTP/1.1 400"), server.log()
            assert headers["content-type"] == "application/problem+json"
            assert json.loads(body)["status"] == 400
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)
