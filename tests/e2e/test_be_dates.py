"""Journey: dates are typed and picked in the Buddhist Era, with Thai month names, in both languages; a
date that cannot be read is said by its field; what the server receives is still the ISO date."""
from __future__ import annotations

import pytest

from tests.e2e.test_stage1_journey import login, open_task

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_holiday_typed_and_picked_in_buddhist_era(live_server, page):
    page.goto(live_server + "/login")
    page.fill("#username", "admin")
    page.fill("#password", "slaflow-demo")
    page.click("button[type=submit]")
    page.goto(live_server + "/calendar?year=2027")
    field = page.locator("#day")
    assert field.get_attribute("type") == "text" and "พ.ศ." in field.get_attribute("placeholder")

    field.fill("31/02/2570")  # no such day: said by the field, nothing else
    field.blur()
    assert field.get_attribute("aria-invalid") == "true"
    assert "ปีพุทธศักราช" in page.inner_text("#day-long")

    page.click(".be-date-open")  # the calendar: Thai months, B.E. years, keyboard to move
    page.wait_for_selector(".be-calendar[role=dialog]")
    assert "พ.ศ." in page.inner_text("#be-calendar-title")
    page.click(".be-calendar [aria-label='ปิด'], .be-calendar-foot button:has-text('ปิด')")
    field.fill("5/1/2570")
    field.blur()
    assert page.inner_text("#day-long") == "5 มกราคม พ.ศ. 2570"
    assert field.input_value() == "05/01/2570" and page.input_value("#day-iso") == "2027-01-05"
    page.click(".be-date-open")
    page.keyboard.press("ArrowRight")  # from the 5th to the 6th
    page.keyboard.press("Enter")
    assert field.input_value() == "06/01/2570" and page.input_value("#day-iso") == "2027-01-06"
    page.fill("#reason", "วันหยุดชดเชยตัวอย่าง")
    page.click("section.card button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert "6 ม.ค. 2570" in page.inner_text("main")

    page.goto(live_server + "/calendar?year=2027&lang=en")  # English: B.E. too, said so
    assert "B.E." in page.locator("#day").get_attribute("placeholder")
    page.fill("#day", "2.1.2027")  # a C.E. year is understood as such
    page.locator("#day").blur()
    assert page.inner_text("#day-long") == "2 January 2570 B.E." and page.input_value("#day-iso") == "2027-01-02"


def test_task_form_dates_in_buddhist_era(live_server, page):
    login(page, live_server, "officer.dlt")
    open_task(page, "บริหารการเปลี่ยนแปลงและการสื่อสาร")
    page.click("#task-form [data-path=training] >> text=+ เพิ่มรายการ")
    date_field = page.locator("#f-training-0-date")
    assert date_field.get_attribute("type") == "text"  # a row added later is enhanced too
    date_field.fill("15/12/2569")
    date_field.blur()
    assert page.input_value("#f-training-0-date-iso") == "2026-12-15"
    assert "15 ธันวาคม พ.ศ. 2569" in page.inner_text("#task-form [data-path='training.0']")
