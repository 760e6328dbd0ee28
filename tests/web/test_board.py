"""The supervisors' board shows a new critical case without a reload: the live stream tells it,
and it reads the queues again."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, demo_login
from tests.web.conftest import PHONE, Phone, screenshot, sign_in

pytestmark = pytest.mark.slow


async def test_a_page_that_loads_slowly_does_not_replace_the_page_opened_after_it(
    browser: Any, demo_server: LiveServer
) -> None:
    """A supervisor lands on the intake form, whose labels come slowly on a bad connection,
    and opens the board before they arrive: the board stays."""
    # The app's service worker would fetch past the page's routes: this profile has none.
    context = await browser.new_context(viewport=PHONE, locale="th-TH", service_workers="block")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    async def slow_categories(route: Any) -> None:
        await asyncio.sleep(2)
        await route.continue_()

    await page.route("**/api/v1/meta/categories", slow_categories)
    await sign_in(page, demo_server.base_url, "demo.supervisor")
    await page.wait_for_selector("nav a[href='#/board']")
    await page.goto(demo_server.base_url + "/app/#/board")
    await page.wait_for_selector("main[data-view=board] .queue .count:not(:empty)")
    await page.wait_for_timeout(3000)  # the intake form's labels have come by now
    assert await page.get_attribute("main", "data-view") == "board"
    assert errors == []
    await context.close()


async def test_a_new_critical_case_appears_on_the_board_without_a_reload(
    phone: Phone, demo_server: LiveServer
) -> None:
    page = phone.page
    await sign_in(page, demo_server.base_url, "demo.supervisor")
    await page.wait_for_selector("nav a[href='#/board']")
    await page.goto(demo_server.base_url + "/app/#/board")
    await page.wait_for_selector("main[data-view=board] .queue[data-queue=unassigned]")
    await page.wait_for_selector(".live:has-text('อัปเดตสด')")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    volunteer = demo_login(demo_server, "demo.volunteer")
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            demo_server.base_url + "/api/v1/cases",
            headers=volunteer,
            json={
                "summary": f"ชายถูกทำร้ายร่างกาย บาดเจ็บสาหัส {uuid.uuid4().hex[:6]}",
                "categories": ["family_violence"],
                "immediate_danger": True,
                "reporter": {"relationship": "neighbour"},
                "location": {"province_code": "10"},
                "consent": {"data_collection": "not_possible"},
            },
        )
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]

    unassigned = page.locator(".queue[data-queue=unassigned] li", has_text=reference)
    await unassigned.wait_for(timeout=20_000)
    assert "วิกฤต" in await unassigned.inner_text() or "critical" in await unassigned.inner_text()
    assert navigations == []  # no reload
    await screenshot(page, "supervisor-board")
    assert phone.errors == []


async def test_the_statistics_page_draws_the_periods_counts(
    phone: Phone, demo_server: LiveServer
) -> None:
    page = phone.page
    await sign_in(page, demo_server.base_url, "demo.supervisor")
    await page.wait_for_selector("nav a[href='#/stats']")
    await page.goto(demo_server.base_url + "/app/#/stats")
    await page.wait_for_selector("main[data-view=stats] svg.chart")
    new_year = f"1/1/{date.today().year + 543}"  # Buddhist Era; a period is at most a year
    await page.fill("input[name=from]", new_year)
    await page.click("form.period button[type=submit]")
    # The period chosen is drawn once its statistics have come.
    await page.wait_for_selector(f"main[data-view=stats] input[name=from][value='{new_year}']")
    await page.wait_for_selector("main[data-view=stats] svg.chart rect")
    total = await page.inner_text("main[data-view=stats] .total")
    assert any(ch.isdigit() for ch in total) and not total.startswith("ทั้งหมด 0 ")
    await screenshot(page, "statistics")
    assert phone.errors == []
