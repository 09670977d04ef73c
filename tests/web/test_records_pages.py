"""The service-records pages: templates, import with the rows to fix, the counter, the figures on the
dashboard, and the 6-month report prefilled with them."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
import time_machine
from openpyxl import load_workbook

from engine.services import task_page
from tests.web.conftest import csrf_token, login
from tests.workflows.test_sla_paths import MAR_2, START, deploy_all, to_published
from tests.workflows.walker import Walker

UTC = timezone.utc
SERVICE = "การชำระภาษีรถประจำปี"


@pytest.fixture
def at_report(app, world):
    """Agency A's SLA published (15 minutes promised), the 6-month round open on 2 March 2026."""
    from engine.services import instances
    from tests.conftest import ADMIN

    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        w = Walker(world, instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, SERVICE, 2569))
    to_published(w)
    return w


def _csv(*rows) -> bytes:
    head = "เลขที่อ้างอิง,วันเวลาที่รับเรื่อง,วันเวลาที่ให้บริการเสร็จ,ผลการให้บริการ,ช่องทาง,ข้อบกพร่องด้านคุณภาพ"
    return ("\ufeff" + head + "\n" + "\n".join(rows) + "\n").encode()


def test_import_from_the_template_and_see_the_figures(app, world, at_report):
    client = app.test_client()
    with time_machine.travel(MAR_2, tick=True):
        login(client, "officer.a")
        assert client.get("/records/").status_code == 200
        book = load_workbook(io.BytesIO(client.get("/records/template.xlsx").data))
        assert book.active.cell(1, 1).value == "เลขที่อ้างอิง"
        assert client.get("/records/template.csv").data.decode("utf-8-sig").startswith("เลขที่อ้างอิง")
        token = csrf_token(client, "/records/")
        bad = client.post("/records/", data={"csrf_token": token, "service_process": SERVICE,
                                             "file": (io.BytesIO(_csv("A1,32/13/2569 09:00,,เสร็จสิ้น,,")), "r.csv")},
                          content_type="multipart/form-data")
        assert bad.status_code == 400 and 'data-testid="import-errors"' in bad.get_data(as_text=True)
        good = client.post("/records/", data={
            "csrf_token": token, "service_process": SERVICE,
            "file": (io.BytesIO(_csv("A1,02/02/2569 09:00,02/02/2569 09:10,เสร็จสิ้น,เคาน์เตอร์,",
                                     "A2,03/02/2569 09:00,03/02/2569 09:30,เสร็จสิ้น,ออนไลน์,",
                                     "A3,04/02/2569 09:00,04/02/2569 09:12,เสร็จสิ้น,ออนไลน์,",
                                     "A4,05/02/2569 09:00,05/02/2569 09:14,เสร็จสิ้น,ออนไลน์,")), "r.csv")},
            content_type="multipart/form-data")
        assert good.status_code == 302
        counter = client.post("/records/counter", data={
            "csrf_token": token, "service_process": SERVICE, "reference": "C1", "received_at": "06/02/2569 09:00",
            "completed_at": "05/02/2569 09:00", "outcome": "completed", "channel": "counter"})
        assert counter.status_code == 303  # completed before it was received: refused, with a message
        page = client.get("/records/?fy=2569").get_data(as_text=True)
        assert "75.00" in page and "ก.พ. 2569" in page  # 3 of 4 within 15 minutes in February
        assert ">เคาน์เตอร์</option>" in page  # in Thai, the words the import files use
        english = client.get("/records/?fy=2569&lang=en").get_data(as_text=True)
        assert "Feb 2569 B.E." in english and ">Counter</option>" in english and "เคาน์เตอร์" not in english
        board = client.get("/dashboard?fy=2569").get_data(as_text=True)
        assert 'data-testid="measurement"' in board and "75.00" in board
        workflow = client.get(f"/instances/{at_report.iid}").get_data(as_text=True)
        assert 'data-testid="instance-measurement"' in workflow and "75.00" in workflow
        central = app.test_client()
        login(central, "central")
        assert "75.00" in central.get("/central/?fy=2569").get_data(as_text=True)
    # the 6-month report arrives prefilled with the measured figures, the officer can annotate them
    traveller = at_report.at(MAR_2)
    try:
        report = at_report.open_tasks()["report_6m"]
        data = task_page.get(world.ctx, world.actor("officer.a"), report.id).data
        assert data["measured"]["requests"] == 4 and data["measured"]["within_percent"] == 75.0
        assert data["measured"]["period"] == "02/2569 – 02/2569"
    finally:
        traveller.stop()


def test_other_agencies_cannot_record(app, world, at_report):
    client = app.test_client()
    login(client, "officer.b")
    token = csrf_token(client, "/records/")
    r = client.post(f"/records/?agency={world.agency_a}", data={
        "csrf_token": token, "service_process": SERVICE, "agency": world.agency_a,
        "file": (io.BytesIO(_csv("A1,02/02/2569 09:00,02/02/2569 09:10,เสร็จสิ้น,เคาน์เตอร์,")), "r.csv")},
        content_type="multipart/form-data")
    assert r.status_code in (403, 404)
    assert client.get(f"/records/?agency={world.agency_a}").status_code == 404
    assert datetime.now(UTC)  # the time is real again
