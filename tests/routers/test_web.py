"""The web app's files: served from `web/` under a strict Content-Security-Policy, nothing else."""

from __future__ import annotations

import re

import pytest

from routers.web import WEB_ROOT


async def test_the_shell_is_served_under_a_strict_policy(client) -> None:
    response = await client.get("/app/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-cache"
    assert '<html lang="th">' in response.text


async def test_app_without_a_slash_moves_to_the_shell(client) -> None:
    response = await client.get("/app")
    assert response.status_code == 308
    assert response.headers["location"] == "/app/"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/app/js/main.js", "text/javascript; charset=utf-8"),
        ("/app/css/app.css", "text/css; charset=utf-8"),
        ("/app/manifest.webmanifest", "application/manifest+json"),
        ("/app/i18n/th.json", "application/json"),
    ],
)
async def test_files_have_their_types(client, path: str, media_type: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type


async def test_the_service_worker_may_control_the_whole_app(client) -> None:
    response = await client.get("/app/sw.js")
    assert response.status_code == 200
    assert response.headers["service-worker-allowed"] == "/app/"


@pytest.mark.parametrize(
    "path",
    [
        "/app/missing.js",
        "/app/%2e%2e/pyproject.toml",
        "/app/..%2fpyproject.toml",
        "/app/js/../../README.md",
        "/app/js",
    ],
)
async def test_nothing_outside_the_apps_files_is_served(client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_pages_load_no_inline_script_or_style() -> None:
    for page in WEB_ROOT.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), page
        assert "<style" not in text and " style=" not in text, page
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), page


def test_the_service_worker_keeps_every_file_of_the_shell() -> None:
    kept = set(re.findall(r'"(/app/[^"]+)"', (WEB_ROOT / "sw.js").read_text(encoding="utf-8")))
    for path in WEB_ROOT.rglob("*"):
        if path.suffix in {".js", ".css", ".json"} and path.name != "sw.js":
            assert f"/app/{path.relative_to(WEB_ROOT).as_posix()}" in kept, path
