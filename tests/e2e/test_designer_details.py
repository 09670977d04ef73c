"""Details a new user meets: the modeler speaks Thai, timers of every kind are set in its panel, file
inputs are in the page's language, a version lists each changed property with both values, and a long
stage diagram on a workflow's page is shown at a readable size around where it waits."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.fiscal import fiscal_year_of
from engine.models import Agency, Instance, utcnow
from tests.e2e.test_designer_journey import login
from workflows.demo import BKK

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _scale(page) -> float:
    transform = page.get_attribute("#diagram .djs-container svg g.viewport", "transform") or "matrix(1,0,0,1,0,0)"
    return float(re.findall(r"[-\d.e]+", transform)[0])


def test_modeler_in_thai_with_timer_kinds_and_a_full_version_comparison(live_server, page):
    base = live_server
    login(page, base, "designer")
    page.goto(base + "/designer/")
    assert "ยังไม่ได้เลือกไฟล์" in page.inner_text("main")  # the file inputs speak Thai
    page.click("[data-testid=edit-version-sla_lifecycle-1]")
    page.wait_for_selector("#canvas[data-file='sla_lifecycle.bpmn']")
    assert page.locator(".djs-palette [aria-label='สร้างงาน']").count() == 1  # bpmn-js's own labels in Thai
    page.click("#file-tabs button:has-text('sla_stage1')")
    page.wait_for_selector("#canvas[data-file='sla_stage1.bpmn']")
    page.evaluate("() => { const m = window.slaflowDesigner.modeler;"
                  " m.get('selection').select(m.get('elementRegistry').get('due_stage1_targets')); }")
    assert "เหตุการณ์ขอบงาน" in page.inner_text("[data-testid=panel] h3")
    kind = page.locator("[data-testid=panel] select").first
    kind.select_option("timeDuration")
    expression = page.get_by_label("นิพจน์เวลา")
    expression.fill('"P5D"')
    expression.press("Enter")
    page.click("[data-testid=panel] .helpers button:has-text('\"PT2H\"')")
    xml = page.evaluate("() => window.slaflowDesigner.modeler.saveXML().then(r => r.xml)")
    assert '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT2H"</bpmn:timeDuration>' in xml
    assert "timeDate" not in xml.split('id="due_stage1_targets"')[1].split("</bpmn:boundaryEvent>")[0]
    # the task's instructions change too: the version page lists both changes with before and after
    page.evaluate("""() => { const m = window.slaflowDesigner.modeler;
        m.get('selection').select(m.get('elementRegistry').get('stage1_targets')); }""")
    page.get_by_label("คำแนะนำสำหรับผู้ใช้").fill("ระบุปัญหาอย่างน้อย 3 ข้อ")
    page.get_by_label("คำแนะนำสำหรับผู้ใช้").blur()
    page.fill("[data-testid=deploy-note]", "กำหนดเวลาเป็นระยะเวลา และคำแนะนำใหม่")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=deployed-link]:visible")
    page.click("[data-testid=deployed-link]")
    due = page.inner_text("[data-testid=diff] li[data-element=due_stage1_targets]")
    assert "timeDuration" in due and '"PT2H"' in due and "timeDate" in due
    task = page.inner_text("[data-testid=diff] li[data-element=stage1_targets]")
    assert "คำแนะนำสำหรับผู้ใช้" in task and "ระบุปัญหาอย่างน้อย 3 ข้อ" in task


def test_a_long_stage_diagram_is_readable_where_the_workflow_waits(live_server, page):
    fy = fiscal_year_of(utcnow().astimezone(BKK).date()) - 1
    with live_server.ctx.uow(write=False) as uow:
        iid = uow.session.scalar(select(Instance.id).join(Agency, Agency.id == Instance.agency_id).where(
            Agency.code == "DBD", Instance.fiscal_year == fy))  # last year: stuck in stage 3
    login(page, live_server, "central")
    page.goto(f"{live_server}/instances/{iid}")
    page.wait_for_selector("#diagram[data-rendered]")
    page.click("#diagram-tabs button:has-text('3')")
    page.wait_for_selector("#diagram[data-rendered='sla_stage3.bpmn']")
    assert _scale(page) >= 0.74  # not shrunk to fit: readable
    current = page.locator("#diagram .djs-element.state-current").first.bounding_box()
    frame = page.locator("#diagram").bounding_box()
    assert frame["x"] <= current["x"] + current["width"] / 2 <= frame["x"] + frame["width"]  # where it waits
    page.click("[data-zoom=fit]")
    assert _scale(page) < 0.74


def test_designer_pages_have_no_serious_accessibility_violation(live_server, page):
    from tests.e2e.test_citizen_journey import _axe

    login(page, live_server, "designer")
    page.goto(live_server + "/designer/")
    assert _axe(page) == []  # axe-core: no serious or critical violation
    page.click("[data-testid=edit-version-sla_lifecycle-1]")
    page.wait_for_selector("#canvas[data-file='sla_lifecycle.bpmn']")
    page.evaluate("() => { const m = window.slaflowDesigner.modeler;"
                  " m.get('selection').select(m.get('elementRegistry').get('select_process')); }")
    found = _axe(page)
    assert found == [], found
