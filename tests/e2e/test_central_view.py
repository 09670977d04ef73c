"""Journey: the central office opens the national view, filters it, recomputes, opens an agency."""
from __future__ import annotations

import pytest

from workflows.demo import DEMO_PASSWORD, ROSTER

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
INTERIOR = [agency for agency in ROSTER if agency[2] == "กระทรวงมหาดไทย"]


def test_central_office_view(live_server, page):
    page.goto(live_server + "/login")
    page.fill("#username", "central")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.click("text=ทุกหน่วยงาน")
    page.wait_for_selector("body[data-charts=ready]")  # Chart.js served by the app drew both charts
    heat = page.inner_text("[data-testid=heatmap]")
    assert "กระทรวงคมนาคม" in heat and "ขั้นที่ 1" in heat
    assert page.locator("[data-testid=agency-table] tbody tr").count() == len(ROSTER)  # one page: 34 agencies
    page.select_option("select[name=ministry]", "กระทรวงมหาดไทย")
    page.click("[data-testid=central-filters] button")
    assert page.locator("[data-testid=agency-table] tbody tr").count() == len(INTERIOR)  # DOPA, DOL, its units, DPT
    page.click("[data-testid=recompute]")
    page.wait_for_selector(".flash.success")
    page.click("[data-testid=agency-table] a:has-text('กรมการปกครอง')")
    page.wait_for_selector("[data-testid=evidence]")
    assert "กรมการปกครอง" in page.inner_text("h1")
    with page.expect_download() as download:
        page.click("[data-testid=evidence]")
    assert download.value.suggested_filename.startswith("evidence-DOPA-")
