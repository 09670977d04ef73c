"""Journey: a demo officer logs in and sees the agency's tasks in the inbox, in Thai."""
from __future__ import annotations

import pytest

from workflows.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_demo_officer_sees_inbox(live_server, page):
    page.goto(live_server + "/")
    assert "/login" in page.url
    assert page.locator("h1").inner_text() == "เข้าสู่ระบบ"
    page.fill("#username", "officer.dlt")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=inbox]")
    assert page.locator("h1").inner_text().startswith("งานของฉัน")
    rows = page.locator("[data-testid=inbox] tbody tr")
    assert rows.count() == 3  # the demo: a new workflow's first step; stage 4 of a continuing SLA; a complaint
    text = page.inner_text("[data-testid=inbox]")
    assert "เลือกกระบวนงานที่จะจัดทำ SLA" in text and "การขอรับใบอนุญาตขับรถ" in text
    assert "บริหารการเปลี่ยนแปลงและการสื่อสาร" in text and "การชำระภาษีรถประจำปี" in text
    assert "การขอมีบัตรประจำตัวประชาชน" not in page.content()  # another agency's work
    assert "สมชาย" in page.locator("[data-testid=who]").inner_text()


def test_wrong_password_message_in_thai(live_server, page):
    page.goto(live_server + "/login")
    page.fill("#username", "officer.dlt")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in page.locator(".flash.error").inner_text()
