"""My work (a volunteer answers an offer and works the case) and the agency inbox (only the
shared field groups), in headless Chromium against a live demo server."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import LiveServer, demo_login
from tests.web.conftest import Phone, screenshot, sign_in

pytestmark = pytest.mark.slow

HOME = "3934dfd7-d968-5794-96bc-5ac3a67b20f4"  # the organization demo.agency belongs to


def _offered_case(server: LiveServer) -> tuple[str, str, str]:
    """A screened case offered to demo.volunteer: (case id, reference, offer id)."""
    api = server.base_url + "/api/v1"
    volunteer = demo_login(server, "demo.volunteer")
    caseworker = demo_login(server, "demo.caseworker")
    with httpx.Client(timeout=30) as http:
        case = http.post(
            f"{api}/cases",
            headers=volunteer,
            json={
                "summary": f"เด็กชายถูกทอดทิ้ง ต้องการที่พัก {uuid.uuid4().hex[:6]}",
                "categories": ["child_youth"],
                "urgency": "high",
                "client": {
                    "first_name": "ต้นกล้า",
                    "last_name": "ลับเฉพาะ",
                    "nickname": "กล้า",
                    "phone": "081-234-5678",
                    "age_estimate": 9,
                },
                "reporter": {"relationship": "neighbour"},
                "location": {
                    "province_code": "50",
                    "district_code": "5001",
                    "address": "ที่อยู่ลับเฉพาะ",
                },
                "consent": {"data_collection": "given", "share_with_agencies": True},
            },
        ).json()
        etag = http.get(f"{api}/cases/{case['id']}", headers=caseworker).headers["etag"]
        screened = http.post(
            f"{api}/cases/{case['id']}/transitions",
            json={"to": "screened"},
            headers={**caseworker, "If-Match": etag},
        )
        assert screened.status_code == 200, screened.text
        me = http.get(f"{api}/users/me", headers=volunteer).json()
        offer = http.post(
            f"{api}/cases/{case['id']}/offers", headers=caseworker, json={"user_id": me["id"]}
        )
        assert offer.status_code == 201, offer.text
    return case["id"], case["reference"], offer.json()["id"]


def _referred_to_the_home(server: LiveServer, *, groups: list[str]) -> str:
    """A case in progress (the volunteer took the offer) referred to the home; its reference."""
    api = server.base_url + "/api/v1"
    case_id, reference, offer_id = _offered_case(server)
    caseworker = demo_login(server, "demo.caseworker")
    with httpx.Client(timeout=30) as http:
        accepted = http.post(
            f"{api}/offers/{offer_id}/accept", headers=demo_login(server, "demo.volunteer")
        )
        assert accepted.status_code == 200, accepted.text
        service = http.get(
            f"{api}/directory/services", params={"organization_id": HOME}, headers=caseworker
        ).json()["items"][0]
        referral = http.post(
            f"{api}/cases/{case_id}/referrals",
            headers=caseworker,
            json={"service_id": service["id"], "groups": groups, "reason": "ต้องการที่พักพิงชั่วคราว"},
        )
        assert referral.status_code == 201, referral.text
    return reference


async def test_a_volunteer_accepts_an_offer_and_notes_the_case(
    phone: Phone, demo_server: LiveServer
) -> None:
    _, reference, _ = _offered_case(demo_server)
    page = phone.page
    await sign_in(page, demo_server.base_url, "demo.volunteer")
    await page.wait_for_selector("form.intake")
    await page.click("nav a[href='#/work']")
    offer = page.locator("li[data-offer]", has_text=reference)
    await offer.wait_for()
    await screenshot(page, "my-work")
    await offer.locator("button.primary").click()

    led = page.locator("li[data-case]", has_text=reference).first
    await led.locator("textarea[name=note]").wait_for()
    await led.locator("textarea[name=note]").fill("โทรหาครอบครัวแล้ว นัดเยี่ยมบ้านพรุ่งนี้")
    await led.locator("button", has_text="เพิ่มบันทึก").click()
    await led.locator("text=เพิ่มบันทึกแล้ว").wait_for()
    assert phone.errors == []


async def test_an_agency_sees_only_what_the_referral_shares_and_answers(
    phone: Phone, demo_server: LiveServer
) -> None:
    reference = _referred_to_the_home(demo_server, groups=["contact", "summary"])
    page = phone.page
    await sign_in(page, demo_server.base_url, "demo.agency")
    item = page.locator("li[data-referral]", has_text=reference)
    await item.wait_for()
    await item.locator("button.link").click()
    await item.locator(".shared").first.wait_for()
    shown = await item.inner_text()
    assert "กล้า" in shown and "+66812345678" in shown  # contact: nickname and phone
    assert "ต้องการที่พัก" in shown and "เด็กและเยาวชน" in shown  # summary, category labelled
    assert "ลับเฉพาะ" not in shown  # neither the last name (identity) nor the address (location)
    await screenshot(page, "agency-inbox")

    await item.locator("button[data-answer=accept]").click()
    accepted = page.locator("li[data-referral][data-status=accepted]", has_text=reference)
    await accepted.wait_for()
    assert phone.errors == []
