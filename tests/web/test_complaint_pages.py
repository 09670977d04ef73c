"""Complaint pages: the public form (no cookie, clear errors), following a complaint with its code (no
personal data), and the agency's list, analysis and entry for other channels."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from engine.services import publication
from tests.published import SERVICE, publish_car_tax
from tests.web.conftest import csrf_token, login

NOW = datetime(2026, 11, 2, 3, tzinfo=timezone.utc)


@pytest.fixture
def published(app, world):
    publish_car_tax(world, NOW)
    return world


def test_public_complaint_and_its_code(app, published):
    client = app.test_client()
    url = f"/public/A/{publication.slug_of(SERVICE)}/complaint"
    form = client.get(url)
    assert form.status_code == 200 and "Set-Cookie" not in form.headers
    bad = client.post(url, data={"category": "delay", "subject": "x", "detail": "", "email": "no"})
    assert bad.status_code == 400 and 'data-testid="complaint-errors"' in bad.get_data(as_text=True)
    ok = client.post(url, data={"category": "delay", "subject": "รอคิวนาน", "detail": "รอนานกว่าที่ประกาศ 1 ชั่วโมง",
                                "name": "สมศรี", "phone": "0812345678", "email": "somsri@example.com"})
    assert ok.status_code == 200 and "Set-Cookie" not in ok.headers
    code = re.search(r'data-testid="complaint-code">([A-Z0-9]{10})<', ok.get_data(as_text=True)).group(1)
    status = client.get(f"/public/complaints?code={code}")
    text = status.get_data(as_text=True)
    assert 'data-testid="complaint-status"' in text and "รอคิวนาน" in text
    assert "0812345678" not in text and "somsri@example.com" not in text and "สมศรี" not in text
    assert status.headers["Cache-Control"] == "no-store"
    assert 'data-testid="complaint-unknown"' in client.get("/public/complaints?code=ZZZZZZZZZZ").get_data(True)
    # the agency sees it, with the contact details; another agency does not
    officer = app.test_client()
    login(officer, "officer.a")
    page = officer.get("/complaints/").get_data(as_text=True)
    assert code in page and "0812345678" in page and "ล่าช้ากว่าที่ประกาศ" in page
    month = re.search(r"<h3>รายเดือน</h3><ul><li>([^<]+) · 1</li>", page).group(1)
    assert re.fullmatch(r"[ก-๙.]+ 25\d\d", month), month  # a month and its B.E. year, not a day
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(officer.get("/complaints/export.xlsx").data))["เรื่องร้องเรียน"]
    row = [c.value for c in sheet[2]]
    assert row[0] == code and "0812345678" not in row and "somsri@example.com" not in row  # masked in exports
    stranger = app.test_client()
    login(stranger, "officer.b")
    assert code not in stranger.get("/complaints/").get_data(as_text=True)
    assert stranger.get(f"/complaints/?agency={published.agency_a}").status_code == 404
    # a complaint by telephone, entered by the officer
    token = csrf_token(officer, "/complaints/")
    r = officer.post("/complaints/", data={"csrf_token": token, "service_process": SERVICE, "channel": "hotline",
                                           "category": "staff", "subject": "โทรแจ้ง", "detail": "เจ้าหน้าที่ไม่สุภาพ"})
    assert r.status_code == 302
    assert officer.post("/complaints/", data={"csrf_token": token, "channel": "pigeon", "category": "staff",
                                              "subject": "โทรแจ้ง", "detail": "รายละเอียด"}).status_code == 400
