"""Journey: a citizen at the counter scans the poster's QR code with a phone (390 px), reads the SLA,
answers the satisfaction survey; the answer shows in the agency's results and on the central
office's scorecard (indicator 1.3). The public pages pass axe with no serious or critical problem."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.services import publication
from workflows.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


def _axe(page) -> list[dict]:
    """Serious and critical accessibility violations of the page (axe-core from the npm package)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in found
            if v["impact"] in ("serious", "critical")]


def _login(page, base, user):
    page.goto(base + "/login")
    page.fill("#username", user)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_citizen_reads_the_sla_and_answers_the_survey_on_a_phone(live_server, browser):
    base = live_server
    url = f"{base}/public/DLT/{publication.slug_of('การชำระภาษีรถประจำปี')}"  # what the poster's QR code holds
    phone = browser.new_context(locale="th-TH", viewport=PHONE, is_mobile=True, has_touch=True,
                                user_agent="Mozilla/5.0 (Linux; Android 14) Mobile citizen-journey")
    page = phone.new_page()
    try:
        page.goto(url)
        assert "การชำระภาษีรถประจำปี" in page.inner_text("h1")
        promise = page.inner_text("[data-testid=promise]")
        assert "15" in promise and "นาที" in promise
        assert page.locator("[data-testid=steps] li").count() >= 1
        # nothing wider than the phone: no sideways scrolling to read it
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert phone.cookies() == []  # the public pages set no cookie
        assert _axe(page) == []
        page.click("[data-testid=survey-link]")
        page.wait_for_selector("[data-testid=survey-form]")
        assert _axe(page) == []
        page.select_option("#group", "public")
        for question in ("time", "steps", "staff", "place", "overall"):
            page.check(f"input[name={question}][value='5']")
        page.check("input[name=on_time][value=yes]")
        page.fill("textarea[name=suggestion]", "บริการรวดเร็วตามที่ประกาศ")
        page.click("[data-testid=survey-submit]")
        page.wait_for_selector("[data-testid=survey-thanks]")
        assert phone.cookies() == []
    finally:
        phone.close()

    staff = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    try:
        _login(page, base, "officer.dlt")
        page.goto(base + "/dashboard")
        assert "บริการรวดเร็วตามที่ประกาศ" in page.inner_text("[data-testid=survey-summary]")
        page.context.clear_cookies()
        _login(page, base, "central")
        page.goto(base + "/central/")
        page.click("[data-testid=recompute]")
        page.wait_for_selector(".flash.success")
        agency = page.locator("[data-testid=agency-table] a:has-text('กรมการขนส่งทางบก')").first
        agency.click()
        page.wait_for_selector("[data-testid=working]")
        rows = page.locator("[data-testid=scorecard]:has-text('กลุ่มที่ 1') [data-testid=working] tbody tr")
        line = next(rows.nth(i).inner_text() for i in range(rows.count()) if rows.nth(i).inner_text().startswith("1.3"))
        assert "100.0000" in line and "5.0000" in line  # one respondent, fully satisfied: level 5
    finally:
        staff.close()


def test_public_directory_on_a_phone(live_server, browser):
    phone = browser.new_context(locale="th-TH", viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    try:
        page.goto(live_server + "/public/")
        assert page.locator("[data-testid=public-list] li").count() >= 3
        page.fill("#q", "บัตรประจำตัว")
        page.click("[data-testid=public-search] button")
        assert page.locator("[data-testid=public-list] li").count() == 1
        assert _axe(page) == [], json.dumps(_axe(page), ensure_ascii=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        phone.close()
