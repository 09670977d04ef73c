"""Journey: an officer fills stage 1 (repeating rows, an upload), saves a draft, comes back and submits;
the supervisor sends it back with a comment; the officer fixes and resubmits; the supervisor approves;
both see it on the instance page."""
from __future__ import annotations

import re

import pytest

from tests import samples
from workflows.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def login(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=task-count]")


def logout(page):
    page.click("header form button")  # the log-out button in the top bar
    page.wait_for_selector("#username")


def open_task(page, name_part):
    page.click(f"[data-testid=task-link]:has-text('{name_part}')")
    page.wait_for_selector("#task-form .field")


def submit_and_wait(page):
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r".*/\?done=\d+$"))


def test_stage1_send_back_and_approve(live_server, page, tmp_path):
    base = live_server
    login(page, base, "officer.dlt")
    open_task(page, "เลือกกระบวนงาน")
    page.fill("#f-process_name", "การชำระภาษีรถประจำปี (ทดสอบ)")
    page.check("#f-criteria-3")
    page.fill("#f-current_state", "ผู้รับบริการรอคิวนานและไม่ทราบขั้นตอน")
    submit_and_wait(page)

    open_task(page, "ระบุโอกาสในการปรับปรุง")
    # a required field left empty gets a Thai message beside it, and nothing is submitted
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-path=capability] .field-error")
    assert "กรุณากรอกข้อมูลนี้" in page.inner_text("[data-path=capability]")
    # repeating rows: add two, fill them, remove the first
    page.click("[data-path=problems] >> text=+ เพิ่มรายการ")
    page.click("[data-path=problems] >> text=+ เพิ่มรายการ")
    page.fill("#f-problems-0-problem", "แถวที่จะลบ")
    page.fill("#f-problems-0-expectation", "-")
    page.fill("#f-problems-1-problem", "รอคิวนาน")
    page.fill("#f-problems-1-expectation", "ได้รับบริการภายใน 15 นาที")
    # rows are headed as people count them, and the fields come in the form's own order
    assert page.inner_text("[data-path='problems.1'] > legend").strip() == "รายการที่ 2"
    groups = page.eval_on_selector_all(".form-root > [data-path]", "els => els.map(e => e.dataset.path)")
    assert groups[:2] == ["problems", "capability"]
    page.click("[data-path='problems.0'] >> text=ลบ")
    assert page.input_value("#f-problems-0-problem") == "รอคิวนาน"
    page.fill("#f-capability", "เจ้าหน้าที่ 10 คน และระบบคิว")
    for field, text in [("time", "2 ชั่วโมง"), ("steps", "7 ขั้นตอน"), ("quality", "เอกสารผิดบ่อย"),
                        ("channels", "สำนักงานเท่านั้น"), ("transparency", "ไม่ทราบสถานะ"), ("cost", "ค่าเดินทาง")]:
        page.fill(f"#f-analysis-{field}", text)
    for field, text in [("process", "ลดขั้นตอน"), ("system", "ชำระออนไลน์"), ("staff", "อบรมเจ้าหน้าที่")]:
        page.fill(f"#f-approach-{field}", text)
    page.fill("#f-targets-time_value", "15")
    page.select_option("#f-targets-time_unit", "minutes")
    evidence = tmp_path / "ผลสำรวจ.pdf"
    evidence.write_bytes(samples.pdf("survey"))
    page.set_input_files("#f-attachments", str(evidence))
    page.wait_for_selector("[data-path='attachments.0'] a")
    page.click("[data-testid=save-draft]")
    page.wait_for_selector(".form-status.ok")

    # leave and come back: the draft is all there
    page.goto(base + "/")
    open_task(page, "ระบุโอกาสในการปรับปรุง")
    assert page.input_value("#f-problems-0-problem") == "รอคิวนาน"
    assert page.input_value("#f-analysis-cost") == "ค่าเดินทาง"
    assert page.inner_text("[data-path='attachments.0'] a") == "ผลสำรวจ.pdf"
    page.fill("#f-targets-satisfaction_percent", "85")
    submit_and_wait(page)
    logout(page)

    login(page, base, "supervisor.dlt")
    open_task(page, "พิจารณาขั้นที่ 1")
    # the officer's work is shown for review, opened
    assert "รอคิวนาน" in page.locator("details.reference").first.inner_text()
    page.select_option("#f-decision", "send_back")
    page.click("[data-testid=submit]")  # sending back without a comment is refused, beside the field
    page.wait_for_selector("[data-path=comment] .field-error")
    page.fill("#f-comment", "กรุณาระบุค่าเป้าหมายด้านความถูกต้อง")
    submit_and_wait(page)
    logout(page)

    login(page, base, "officer.dlt")
    open_task(page, "ระบุโอกาสในการปรับปรุง")
    assert "กรุณาระบุค่าเป้าหมายด้านความถูกต้อง" in page.inner_text("[data-testid=returned-comment]")
    assert page.input_value("#f-problems-0-problem") == "รอคิวนาน"  # the last submission comes back to fix
    page.fill("#f-targets-accuracy_percent", "100")
    submit_and_wait(page)
    logout(page)

    login(page, base, "supervisor.dlt")
    open_task(page, "พิจารณาขั้นที่ 1")
    page.select_option("#f-decision", "approve")
    submit_and_wait(page)
    page.goto(page.url.split("?")[0])
    rows = page.locator("[data-testid=task-link]")
    assert all("พิจารณาขั้นที่ 1" not in rows.nth(i).inner_text() for i in range(rows.count()))
    logout(page)

    instance_url = ""
    for user in ("officer.dlt", "supervisor.dlt"):
        login(page, base, user)
        if user == "officer.dlt":
            page.goto(base + "/?q=ใบอนุญาตขับรถ")  # this workflow's tasks (the demo has another at stage 2)
            open_task(page, "จัดทำกระบวนงานใหม่")  # stage 2 has arrived
            page.click("text=เปิดดูเวิร์กโฟลว์")
            page.wait_for_selector("#diagram[data-rendered]")
            instance_url = page.url
        else:
            page.goto(instance_url)
        page.wait_for_selector("#diagram[data-rendered]")
        timeline = page.inner_text("[data-testid=timeline]")
        assert timeline.count("ส่งงาน") >= 3  # select and stage 1 twice
        assert "ส่งกลับให้แก้ไข" in timeline and "อนุมัติ" in timeline  # the two reviews, with their decisions
        assert "สมหญิง" in timeline
        logout(page)
