"""Central office pages: overview, scorecard with corrections, evidence pack, Excel export, schemes."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from engine.services import scoring
from tests.scoring.test_scores_from_workflows import _kpi_2566_done
from tests.web.conftest import csrf_token, login
from tests.workflows.test_sla_paths import deploy_all


@pytest.fixture
def central_client(app, world):
    scoring.install_shipped(world.ctx)
    deploy_all(world.ctx)
    _kpi_2566_done(world, world.agency_a, "การออกใบอนุญาต", datetime(2023, 4, 13, 2, tzinfo=timezone.utc))
    client = app.test_client()
    login(client, "central")
    return client


def test_only_the_central_office_and_admins(app, world):
    client = app.test_client()
    login(client, "officer.a")
    for path in ("/central/", "/central/schemes", "/central/export.xlsx?fy=2566"):
        assert client.get(path).status_code == 403
    assert client.get(f"/central/agencies/{world.agency_b}?fy=2566").status_code == 404


def test_overview_scores_and_correction(central_client, world):
    client = central_client
    token = csrf_token(client, "/central/?fy=2566")
    assert client.post("/central/recompute", data={"fy": 2566, "csrf_token": token}).status_code == 302
    html = client.get("/central/?fy=2566").get_data(as_text=True)
    assert 'data-testid="heatmap"' in html and "กรมทดสอบ ก" in html
    assert "3.45" in html  # (5 + 2.5) / 2 - 3 days x 0.10, in the ranking
    page = client.get(f"/central/agencies/{world.agency_a}?fy=2566").get_data(as_text=True)
    assert "3.7500" in page and "0.3000" in page and "3.4500" in page  # the working: subtotal, penalty, score
    r = client.post(f"/central/agencies/{world.agency_a}/correct",
                    data={"fy": 2566, "instance_id": 1, "indicator": "round2", "value": "3", "reason": "หลักฐานเพิ่ม",
                          "csrf_token": token})
    assert r.status_code == 302
    assert "3.7000" in client.get(f"/central/agencies/{world.agency_a}?fy=2566").get_data(as_text=True)
    bad = client.post(f"/central/agencies/{world.agency_a}/correct",
                      data={"fy": 2566, "instance_id": 1, "indicator": "round2", "value": "abc", "reason": "x",
                            "csrf_token": token})
    assert bad.status_code == 400
    assert 'data-testid="correct-error"' in bad.get_data(as_text=True)
    unknown = client.post(f"/central/agencies/{world.agency_a}/correct",
                          data={"fy": 2566, "instance_id": 1, "indicator": "9.9", "value": "4", "reason": "ทดสอบ",
                                "csrf_token": token})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 400 and "round2" in html and "round1" in html  # the valid codes are listed
    assert 'value="9.9"' in html and 'value="ทดสอบ"' in html  # nothing typed is lost


def test_excel_export_cells(central_client):
    client = central_client
    token = csrf_token(client, "/central/?fy=2566")
    client.post("/central/recompute", data={"fy": 2566, "csrf_token": token})
    r = client.get("/central/export.xlsx?fy=2566")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    scores = wb["คะแนน"]
    headers = [c.value for c in scores[1]]
    assert headers[:3] == ["รหัสหน่วยงาน", "หน่วยงาน", "กระทรวง"] and "คะแนนรวม" in headers
    first = [c.value for c in scores[2]]
    column = {h: i for i, h in enumerate(headers)}
    assert first[1] == "กรมทดสอบ ก" and first[column["ตัวชี้วัด"]] == "round1"
    assert first[column["คะแนนที่ถูกปรับลด"]] == 0  # the penalty is not taken from the round's line...
    assert first[column["คะแนนก่อนหักส่งล่าช้า"]] == pytest.approx(3.75)
    assert first[column["หักส่งล่าช้า"]] == pytest.approx(0.3)  # ...but from the indicator's score
    assert first[column["คะแนนรวม"]] == pytest.approx(3.45)
    assert scores.cell(2, column["คะแนนรวม"] + 1).number_format == "0.0000"
    assert first[column["คำนวณเมื่อ"]].endswith(("2569", "2570", "2571"))  # computed today, B.E.
    assert wb["สถานะ"].cell(1, 1).value == "รหัสหน่วยงาน"


def test_evidence_pack(central_client, world):
    r = central_client.get(f"/central/agencies/{world.agency_a}/evidence.zip?fy=2566")
    assert r.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert "รายการหลักฐาน.tsv" in names
    assert any(n.startswith("การออกใบอนุญาต/รายงานรอบที่ 1/") and n.endswith(".pdf") for n in names)


def test_scheme_upload_page(central_client):
    client = central_client
    token = csrf_token(client, "/central/schemes")
    html = client.get("/central/schemes").get_data(as_text=True)
    assert "process-improvement-2566" in html
    bad = client.post("/central/schemes", data={"csrf_token": token, "scheme": (io.BytesIO(b'{"code": "x"}'), "x.json")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and 'data-testid="scheme-errors"' in bad.get_data(as_text=True)
    good = ("code: new-2570\ntitle: ทดสอบ\nfiscal_year: 2570\nindicators:\n"
            "  - {code: a, title: a, weight: 1, criteria: {type: score}}\n").encode()
    ok = client.post("/central/schemes", data={"csrf_token": token, "scheme": (io.BytesIO(good), "n.yaml")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302 and "new-2570" in client.get("/central/schemes").get_data(as_text=True)


def test_department_evaluator_sees_its_units_only(app, world):
    scoring.install_shipped(world.ctx)
    client = app.test_client()
    login(client, "evaluator.a")
    html = client.get("/central/?fy=2566").get_data(as_text=True)
    assert "สำนักงานจังหวัดทดสอบ ก" in html and "กรมทดสอบ ข" not in html and "สำนักงานจังหวัดทดสอบ ข" not in html
    assert 'data-testid="nav-units"' in html and "<h1>หน่วยงานในสังกัด" in html
    assert client.get(f"/central/agencies/{world.unit_a}?fy=2566").status_code == 200
    assert client.get(f"/central/agencies/{world.unit_b}?fy=2566").status_code == 404
    assert client.get("/central/schemes").status_code == 200
    assert client.get("/operations").status_code == 403


def test_scorecard_shows_the_group_due_dates_and_a_missing_scheme(app, world):
    import time_machine

    from engine.services import instances
    from tests.conftest import ADMIN

    scoring.install_shipped(world.ctx)
    deploy_all(world.ctx)
    with time_machine.travel(datetime(2025, 10, 6, 3, tzinfo=timezone.utc), tick=False):
        iid = instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, "ภาษีรถ", 2569)
    client = app.test_client()
    login(client, "central")
    page = client.get(f"/central/agencies/{world.agency_a}?fy=2569").get_data(as_text=True)
    assert 'data-testid="no-scheme"' in page and "กลุ่มที่ 2" in page
    assert 'data-testid="due-dates"' in page and "ขั้นที่ 1 (แบบฟอร์ม A–E)" in page
    assert "30 ม.ค. 2569" in page  # forms A–E: 31 Jan 2026 was a Saturday, the working day before
    token = csrf_token(client, "/central/schemes")
    r = client.post("/central/schemes/copy", data={"from_fy": 2558, "to_fy": 2569, "csrf_token": token})
    assert r.status_code == 302
    assert "sla-2569-group2" in client.get("/central/schemes").get_data(as_text=True)
    client.post("/central/recompute", data={"fy": 2569, "csrf_token": token})
    page = client.get(f"/central/agencies/{world.agency_a}?fy=2569").get_data(as_text=True)
    assert 'data-testid="no-scheme"' not in page and 'data-testid="provisional"' in page  # 2.3's weight
    r = client.post(f"/central/agencies/{world.agency_a}/group",
                    data={"fy": 2569, "instance_id": iid, "group": "group1", "reason": "มี SLA ตั้งแต่ปี 2568",
                          "csrf_token": token})
    assert r.status_code == 302
    page = client.get(f"/central/agencies/{world.agency_a}?fy=2569").get_data(as_text=True)
    assert "กลุ่มที่ 1" in page and "มี SLA ตั้งแต่ปี 2568" in page
    assert client.post(f"/central/agencies/{world.agency_a}/group",
                       data={"fy": 2569, "instance_id": iid, "group": "group1", "reason": "",
                             "csrf_token": token}).status_code == 400
    overview = client.get("/central/?fy=2569").get_data(as_text=True)
    assert "กลุ่มที่ 1" in overview and 'data-testid="penalty"' in overview


def test_starting_a_fiscal_year_from_the_page(app, world):
    """The central office queues a year in one action, sees it run, and a wrong year is explained."""
    import time_machine

    from engine.services import kickoff
    from tests.workflows.test_sla_paths import START, deploy_all

    deploy_all(world.ctx)
    client = app.test_client()
    login(client, "central")
    page = client.get("/central/kickoff")
    assert page.status_code == 200 and 'data-testid="kickoff-form"' in page.get_data(as_text=True)
    token = csrf_token(client, "/central/kickoff")
    bad = client.post("/central/kickoff", data={"csrf_token": token, "fy": "2026", "process_id": "sla_lifecycle",
                                                "service_process": "งานบริการ"})
    assert bad.status_code == 400 and "2569" in bad.get_data(as_text=True)  # 2026 + 543 is suggested
    ok = client.post("/central/kickoff", data={"csrf_token": token, "fy": "2569", "process_id": "sla_lifecycle",
                                               "service_process": "งานบริการ"})
    assert ok.status_code == 302
    with time_machine.travel(START, tick=False):
        kickoff.run_queued(world.ctx)
    listing = client.get("/central/kickoff").get_data(as_text=True)
    assert "4 / 4" in listing
    officer = app.test_client()
    login(officer, "officer.a")
    assert officer.get("/central/kickoff").status_code == 403
