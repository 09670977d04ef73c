"""Journey: a designer opens the SLA lifecycle, adds a user task in stage 1, sees the missing-form
error on it, fixes it, deploys; a new workflow brings the task to an officer. Every MIWG reference
file opens in the modeler."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.config import REPO_ROOT
from workflows.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
MIWG = sorted((REPO_ROOT.parent / "shared" / "bpmn-samples" / "miwg-reference").glob("*.bpmn"))


def login(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=task-count]")


def start_as_officer(page, base, process_id: str, service: str, fiscal_year: str = "2570"):
    """officer.dlt starts a workflow of ``process_id`` from the dashboard (a fresh session)."""
    page.context.clear_cookies()
    login(page, base, "officer.dlt")
    page.goto(base + "/dashboard")
    page.select_option("#process", process_id)
    page.fill("#service_process", service)
    page.fill("#fy", fiscal_year)
    page.click("[data-testid=start-workflow] button")
    page.wait_for_selector("#diagram[data-rendered]")


ADD_TASK = """() => {
  const m = window.slaflowDesigner.modeler;
  const registry = m.get('elementRegistry'), modeling = m.get('modeling');
  modeling.removeConnection(registry.get('s1_f2'));
  const init = registry.get('stage1_init'), target = registry.get('stage1_targets');
  const task = modeling.appendShape(init, { type: 'bpmn:UserTask' },
                                    { x: init.x + init.width / 2, y: init.y + init.height / 2 + 5 });
  modeling.connect(task, target);
  modeling.moveShape(target, { x: 170, y: 0 });
  m.get('selection').select(task);
  return task.id;
}"""


def test_designer_adds_a_task_and_an_officer_receives_it(live_server, page):
    base = live_server
    login(page, base, "designer")
    page.goto(base + "/designer/")
    page.click("[data-testid=edit-version-sla_lifecycle-1]")
    page.wait_for_selector("#canvas[data-file='sla_lifecycle.bpmn']")
    # the diagram tabs are ARIA tabs of the canvas's tab panel; no other element claims aria-selected
    assert page.locator("#file-tabs [role=tab][aria-controls=canvas]").count() >= 2
    assert page.locator("[aria-selected]:not([role=tab])").count() == 0
    assert page.get_attribute("#canvas", "role") == "tabpanel"
    page.click("#file-tabs button:has-text('sla_stage1')")
    page.wait_for_selector("#canvas[data-file='sla_stage1.bpmn']")
    task_id = page.evaluate(ADD_TASK)
    page.fill("[data-testid=panel] .field:first-of-type input", "ตรวจสอบข้อมูลเบื้องต้น")
    page.press("[data-testid=panel] .field:first-of-type input", "Enter")
    page.click("[data-testid=validate]")
    problem = page.locator(f"[data-testid=problems] li[data-element='{task_id}']")
    problem.wait_for()
    assert "ไม่มีแบบฟอร์ม" in problem.inner_text()
    assert page.locator(".problem-badge").count() >= 1  # shown on the element itself
    problem.click()  # selects the element: its panel shows
    page.select_option("[data-testid=panel] select", "sla/review.schema.json")
    page.click("[data-testid=validate]")
    page.wait_for_selector("[data-testid=designer-status]:has-text('พร้อมติดตั้ง')")
    page.fill("[data-testid=deploy-note]", "เพิ่มการตรวจสอบข้อมูลเบื้องต้นในขั้นที่ 1")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=deployed-link]:visible")
    assert page.inner_text("[data-testid=designer-status]") == "ติดตั้งเป็นฉบับที่ 2"
    page.click("[data-testid=deployed-link]")
    assert task_id in page.inner_text("[data-testid=diff]")

    # an officer starts a new workflow on version 2 and gets the new task after selecting the process
    start_as_officer(page, base, "sla_lifecycle", "การต่ออายุใบอนุญาตขับรถ")
    page.goto(base + "/?q=การต่ออายุ")
    page.click("[data-testid=task-link]")
    page.wait_for_selector("#task-form .field")
    page.fill("#f-process_name", "การต่ออายุใบอนุญาตขับรถ")
    page.check("#f-criteria-3")
    page.fill("#f-current_state", "ผู้รับบริการต้องมาติดต่อหลายครั้ง")
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r".*/\?done=\d+$"))
    page.goto(base + "/?q=การต่ออายุ")
    assert "ตรวจสอบข้อมูลเบื้องต้น" in page.inner_text("[data-testid=inbox]")


@pytest.mark.skipif(not MIWG, reason="MIWG reference files not beside the checkout")
def test_every_miwg_reference_file_opens_and_displays(live_server, page):
    login(page, live_server, "designer")
    for path in MIWG:
        page.goto(live_server + "/designer/")
        page.set_input_files("#files", str(path))
        page.click("[data-testid=upload]")
        page.wait_for_selector("#canvas[data-file]", timeout=15000)
        status = page.inner_text("[data-testid=designer-status]")
        assert "ไม่สามารถเปิด" not in status, f"{path.name}: {status}"
        shapes = page.locator("#canvas .djs-element.djs-shape").count()
        assert shapes > 1, f"{path.name} shows nothing"
        Path(path)  # keep the name in the failure message above
