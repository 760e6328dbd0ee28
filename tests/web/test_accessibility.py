"""Every page of the web app passes axe-core's checks (WCAG 2.1 A and AA) with no serious or
critical violation, at phone size, in Thai. axe-core is vendored under `vendor/` with its
licence; the test context lifts the app's Content-Security-Policy only to inject it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.web.conftest import PHONE, sign_in

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


async def _violations(page: Any) -> list[str]:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize(
    ("username", "page_hash", "ready"),
    [
        (None, "", "form.signin"),
        ("demo.volunteer", "#/intake", "form.intake"),
        ("demo.volunteer", "#/work", "main[data-view=work]"),
        ("demo.agency", "#/inbox", "main[data-view=inbox]"),
        ("demo.supervisor", "#/board", "main[data-view=board] .queue .count:not(:empty)"),
        ("demo.supervisor", "#/stats", "main[data-view=stats] svg.chart"),
    ],
)
async def test_pages_have_no_serious_accessibility_violation(
    browser: Any, demo_server: LiveServer, username: str | None, page_hash: str, ready: str
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="th-TH", bypass_csp=True)
    try:
        page = await context.new_page()
        if username:
            await sign_in(page, demo_server.base_url, username)
            await page.wait_for_selector("nav a")
            await page.goto(demo_server.base_url + "/app/" + page_hash)
        else:
            await page.goto(demo_server.base_url + "/app/")
        await page.wait_for_selector(ready)
        assert await _violations(page) == []
    finally:
        await context.close()
