"""Journey: a citizen files a complaint from the SLA's page on a phone and gets a code; the supervisor
assigns it, the officer answers before its due date; the agency's analysis shows it and the citizen
reads the answer with the code."""
from __future__ import annotations

import pytest

from engine.services import publication
from workflows.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _login(page, base, user):
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.fill("#username", user)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_citizen_complaint_answered_before_its_due_date(live_server, browser):
    base = live_server
    phone = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(f"{base}/public/DLT/{publication.slug_of('การชำระภาษีรถประจำปี')}")
    page.click("[data-testid=complaint-link]")
    page.select_option("#category", "fee")
    page.fill("#subject", "เก็บค่าธรรมเนียมไม่ตรงประกาศ")
    page.fill("#detail", "ถูกเรียกเก็บค่าธรรมเนียมเพิ่ม 50 บาท ซึ่งไม่มีในประกาศ")
    page.click("[data-testid=complaint-submit]")
    code = page.inner_text("[data-testid=complaint-code]").strip()
    assert len(code) == 10 and phone.cookies() == []
    phone.close()

    staff = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    _login(page, base, "supervisor.dlt")
    page.goto(f"{base}/?q={code}")
    page.click("[data-testid=task-link]:has-text('รับเรื่องและมอบหมาย')")
    page.wait_for_selector("#task-form .field")
    page.select_option("#f-priority", "high")
    page.select_option("#f-category", "fee")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/?done=*")

    _login(page, base, "officer.dlt")
    page.goto(f"{base}/?q={code}")
    row = page.locator("[data-testid=inbox] tbody tr", has_text="ดำเนินการและตอบเรื่องร้องเรียน").first
    assert "เลยกำหนด" not in row.inner_text()  # answered well before its due date
    row.locator("[data-testid=task-link]").click()
    page.wait_for_selector("#task-form .field")
    page.fill("#f-answer", "ตรวจสอบแล้ว เป็นความผิดพลาดของเจ้าหน้าที่ จะคืนเงิน 50 บาท")
    page.fill("#f-improvement", "ติดประกาศอัตราค่าธรรมเนียมที่เคาน์เตอร์ทุกช่อง")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/?done=*")
    page.click("[data-testid=nav-complaints]")
    listing = page.inner_text("[data-testid=complaint-list]")
    assert code in listing and "ตอบแล้ว" in listing
    assert "ค่าธรรมเนียม" in page.inner_text("[data-testid=complaint-analysis]")
    staff.close()

    citizen = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = citizen.new_page()
    page.goto(f"{base}/public/complaints?code={code}")
    assert "จะคืนเงิน 50 บาท" in page.inner_text("[data-testid=complaint-status]")
    citizen.close()
