"""Journey: a designer imports the Camunda invoice, says who does its tasks, reads what was converted
and what is left, sees the lanes in the picture, checks and deploys it without touching the XML; an
officer then gets its first task. A two-pool MIWG export deploys the pool chosen."""
from __future__ import annotations

import pytest

from engine.config import REPO_ROOT
from tests.e2e.test_designer_journey import login, start_as_officer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
INVOICE = REPO_ROOT / "tests" / "data" / "camunda7_invoice.bpmn"
TWO_POOLS = REPO_ROOT.parent / "shared" / "bpmn-samples" / "miwg-vendors" / "bpmn.io_18.6.1__A.4.1-export.bpmn"


def _import(page, base, path):
    page.goto(base + "/designer/")
    page.set_input_files("#import-files", str(path))
    page.click("[data-testid=import]")
    page.wait_for_selector("[data-testid=import-form]")


def test_designer_imports_the_camunda_invoice_and_deploys_it(live_server, page):
    base = live_server
    login(page, base, "designer")
    _import(page, base, INVOICE)
    rows = page.inner_text("[data-testid=performers]")
    assert "${approverGroups}" in rows and "accounting" in rows and "demo" in rows
    page.select_option("tr:has-text('demo') select", "supervisor")  # the reviewer is a supervisor
    page.fill("#title", "ใบแจ้งหนี้ (นำเข้าจาก Camunda)")
    page.click("[data-testid=import-convert]")
    page.wait_for_selector("#canvas[data-file]")
    todo = page.inner_text("[data-testid=import-todo]")
    assert "approve-invoice.html" in todo  # the form outside the file is left for the designer
    assert "ArchiveInvoiceService" in page.inner_text("[data-testid=import-report]")
    lanes = page.locator("#canvas .djs-element[data-element-id^='Lane_invoice_']")
    assert lanes.count() == 2  # the lanes added are drawn
    page.click("[data-testid=validate]")
    page.wait_for_selector("[data-testid=designer-status]:has-text('พร้อมติดตั้ง')")
    page.fill("[data-testid=deploy-note]", "นำเข้าจาก Camunda")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=deployed-link]:visible")

    start_as_officer(page, base, "invoice", "ใบแจ้งหนี้ค่าบริการ")
    page.goto(base + "/?q=ใบแจ้งหนี้")
    assert "Assign Approver Group" in page.inner_text("[data-testid=inbox]")


@pytest.mark.skipif(not TWO_POOLS.exists(), reason="MIWG samples not beside the checkout")
def test_two_pools_deploy_the_pool_chosen(live_server, page):
    login(page, live_server, "designer")
    _import(page, live_server, TWO_POOLS)
    page.click("[data-testid=import-convert]")
    page.wait_for_selector("#canvas[data-file]")
    options = page.locator("[data-testid=deploy-process] option")
    assert options.count() == 2
    page.select_option("[data-testid=deploy-process]", index=1)
    page.fill("[data-testid=deploy-note]", "นำเข้า MIWG A.4.1")
    page.click("[data-testid=deploy]")
    page.wait_for_selector("[data-testid=deployed-link]:visible")
