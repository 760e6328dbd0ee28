"""Browser tests: Debian's Chromium driven by Playwright, headless, at phone size.

Without Chromium the tests are skipped with one line saying why, except in CI (`CI=true`),
where a missing browser fails them: `.ci/run` installs it. Screenshots of each page go to
`ONESTOP_SCREENSHOTS` (default `build/screenshots/`, git-ignored) as test artefacts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ONESTOP_CHROMIUM", "/usr/bin/chromium")
# The flags the machine's notes list: no sandbox as root, no GPU, nothing that calls home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("ONESTOP_SCREENSHOTS", ROOT / "build" / "screenshots"))


def _chromium_missing() -> str | None:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-thai-tlwg)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install)"
    return None


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    missing = _chromium_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need Chromium in CI: {missing}")
        pytest.skip(missing)
    from playwright.async_api import async_playwright

    os.makedirs(SCREENSHOTS, exist_ok=True)

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Phone:
    """A page in a fresh phone-sized profile, with the script errors it has thrown."""

    context: Any
    page: Any
    errors: list[str] = field(default_factory=list)


@pytest.fixture
async def phone(browser: Any) -> AsyncIterator[Phone]:
    """A fresh phone-sized browser profile (its own storage and service worker), in Thai."""
    context = await browser.new_context(viewport=PHONE, locale="th-TH", timezone_id="Asia/Bangkok")
    opened = Phone(context, await context.new_page())
    opened.page.on("pageerror", lambda error: opened.errors.append(str(error)))
    try:
        yield opened
    finally:
        await context.close()


async def screenshot(page: Any, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=False)
    return path


async def sign_in(page: Any, base_url: str, username: str, password: str = "onestop-demo") -> None:
    await page.goto(base_url + "/app/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("form.signin button[type=submit]")
