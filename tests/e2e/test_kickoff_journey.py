"""Journey: the central office starts next fiscal year for one ministry in one action, the scheduler
runs it, and the page shows it done; a Gregorian year is explained, not refused bare."""
from __future__ import annotations

import pytest

from engine.fiscal import fiscal_year_of
from engine.models import utcnow
from engine.services import kickoff
from workflows.demo import DEMO_PASSWORD, ROSTER

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
INTERIOR = [agency for agency in ROSTER if agency[2] == "กระทรวงมหาดไทย"]


def test_start_a_fiscal_year_for_a_ministry(live_server, page):
    next_year = fiscal_year_of(utcnow().date()) + 1
    page.goto(live_server + "/login")
    page.fill("#username", "central")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.click("text=ทุกหน่วยงาน")
    page.click("[data-testid=kickoff-link]")
    assert "เริ่มปีงบประมาณ" in page.inner_text("h1")
    page.fill("#fy", str(next_year - 543))  # a Gregorian year by mistake
    page.click("[data-testid=kickoff-submit]")
    assert str(next_year) in page.inner_text(".field-error")  # the Buddhist Era year is suggested
    page.fill("#fy", str(next_year))
    page.select_option("#ministry", "กระทรวงมหาดไทย")
    page.click("[data-testid=kickoff-submit]")
    page.wait_for_selector(".flash.success")
    assert "รอคิว" in page.inner_text("[data-testid=kickoff-jobs]")
    kickoff.run_queued(live_server.ctx)  # the scheduler's tick
    page.reload()
    jobs = page.inner_text("[data-testid=kickoff-jobs] tbody tr:first-child")
    assert f"{len(INTERIOR)} / {len(INTERIOR)}" in jobs and str(next_year) in jobs  # every agency of the ministry
