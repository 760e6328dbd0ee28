"""A volunteer's report made offline on a phone reaches the server exactly once.

Against a live demo server (the suite's database, SQLite or PostgreSQL) in headless Chromium:
the report is queued in the phone's storage while offline, survives a reload, and when the
network returns creates one case, even though the answer to the first upload is lost on the way
back (the retry carries the same Idempotency-Key and replays the first answer).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tests.conftest import LiveServer
from tests.web.conftest import Phone, screenshot, sign_in

pytestmark = __import__("pytest").mark.slow


async def _fill_report(page, summary: str) -> None:
    await page.fill("textarea[name='/summary']", summary)
    await page.check("#group--categories-older_person")
    await page.fill("input[name='/client/first_name']", "สมหญิง")
    await page.fill("input[name='/client/last_name']", "ทดสอบ")
    await page.fill("input[name='/client/birth_date']", "15/3/2510")
    await page.fill("input[name='/client/phone']", "081-234-5678")
    await page.select_option("select[name='/location/province_code']", "10")
    await page.select_option("select[name='/reporter/relationship']", "neighbour")
    await page.select_option("select[name='/consent/data_collection']", "given")


async def _cases_with(engine, summary: str) -> list[sa.Row]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT reference, client_birth_date FROM cases WHERE summary = :summary"),
            {"summary": summary},
        )
        return list(rows)


async def test_an_offline_report_is_queued_kept_and_sent_once(
    phone: Phone, demo_server: LiveServer, engine
) -> None:
    page, context = phone.page, phone.context
    await sign_in(page, demo_server.base_url, "demo.volunteer")
    await page.wait_for_selector("form.intake")
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Once more online, so that the service worker controls the page and keeps what it loads.
    await page.reload()
    await page.wait_for_selector("form.intake")
    await screenshot(page, "intake")

    summary = f"ผู้สูงอายุอยู่ลำพัง ขาดอาหาร {uuid.uuid4().hex[:8]}"
    await context.set_offline(True)
    await _fill_report(page, summary)
    await page.click("form.intake button[type=submit]")
    await page.wait_for_selector(".outbox li[data-state='queued']")
    assert await page.get_attribute(".outbox-count", "data-count") == "1"

    await page.reload()  # offline: the shell comes from the service worker, the report from storage
    await page.wait_for_selector(".outbox li[data-state='queued']")
    await screenshot(page, "intake-offline-queued")
    assert await _cases_with(engine, summary) == []

    # The network returns, but the answer to the first upload never arrives.
    uploads: list[int] = []

    async def lose_first_answer(route) -> None:
        uploads.append(1)
        if len(uploads) == 1:
            await route.fetch()  # the server makes the case...
            await route.abort("connectionreset")  # ...and the phone never hears back
        else:
            await route.continue_()

    await page.route("**/api/v1/cases", lose_first_answer)
    await context.set_offline(False)
    await page.click("button.send-now")
    await page.wait_for_selector(".outbox li[data-state='sent']", timeout=30_000)

    assert len(uploads) == 2
    cases = await _cases_with(engine, summary)
    assert len(cases) == 1
    reference, birth_date = cases[0]
    assert str(birth_date) == "1967-03-15"  # typed as 15/3/2510 (Buddhist Era), stored as CE
    assert reference in await page.inner_text(".outbox li[data-state='sent']")
    assert phone.errors == []


async def test_the_servers_field_errors_are_shown_at_their_fields(
    phone: Phone, demo_server: LiveServer
) -> None:
    page = phone.page
    await sign_in(page, demo_server.base_url, "demo.volunteer")
    await page.wait_for_selector("form.intake")
    await _fill_report(page, "ทดสอบเลขบัตรผิด")
    await page.select_option("select[name='/client/id_type']", "thai_id")
    await page.fill("input[name='/client/id_number']", "1-1017-00230-70-9")  # wrong check digit
    await page.click("form.intake button[type=submit]")
    await page.wait_for_selector(".outbox li[data-state='needs_fix']", timeout=30_000)
    await page.click(".outbox li[data-state='needs_fix'] button")

    # The form is drawn again with the report and the server's errors at their fields.
    id_number = page.locator("input[name='/client/id_number'][aria-invalid=true]")
    await id_number.wait_for()
    message = page.locator(f"#{await id_number.get_attribute('id')}-error")
    assert await message.is_visible()
    assert "เลข" in await message.inner_text()  # the server's own words, in Thai
    assert await page.input_value("input[name='/client/birth_date']") == "15/3/2510"
    await screenshot(page, "intake-field-error")
    assert phone.errors == []


async def test_signing_out_clears_what_the_phone_holds(
    phone: Phone, demo_server: LiveServer
) -> None:
    page, context = phone.page, phone.context
    await sign_in(page, demo_server.base_url, "demo.volunteer")
    await page.wait_for_selector("form.intake")
    stored = await page.evaluate(
        "new Promise(r => indexedDB.open('onestop').onsuccess = e => "
        "e.target.result.transaction('records').objectStore('records').get('session')"
        ".onsuccess = g => r(JSON.stringify(Object.keys(g.target.result))))"
    )
    assert stored == '["sealed"]'  # the session's tokens are kept only as ciphertext
    await context.set_offline(True)
    await _fill_report(page, "รายงานที่ยังไม่ได้ส่ง")
    await page.click("form.intake button[type=submit]")
    await page.wait_for_selector(".outbox li[data-state='queued']")
    await context.set_offline(False)
    await page.unroute_all()
    await page.route("**/api/v1/cases", lambda route: route.abort())  # keep it queued
    await page.click("nav button")  # sign out
    await page.wait_for_selector("form.signin")
    names = await page.evaluate("indexedDB.databases().then(all => all.map(d => d.name))")
    assert "onestop" not in names
    assert phone.errors == []
