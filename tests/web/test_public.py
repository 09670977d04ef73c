"""The public face of an SLA: published only after approval, readable without a login or a cookie,
cached, searchable; the citizen manual and the poster; the anonymous survey feeding indicator 2.3."""
from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from engine.models import AuditEvent, SurveyResponse
from engine.services import instances, publication, scoring, surveys
from tests.conftest import ADMIN
from tests.web.conftest import login
from tests.workflows.test_sla_paths import START, deploy_all, stage1
from tests.workflows.walker import Walker, example

UTC = timezone.utc
SERVICE = "การชำระภาษีรถประจำปี"
TEMPLATE = json.loads(open("workflows/surveys/satisfaction.json", encoding="utf-8").read())


@pytest.fixture
def published(app, world):
    """Agency A's SLA for car tax: stage 2 with a citizen manual, posted and its publication approved."""
    scoring.install_shipped(world.ctx)
    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        iid = instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, SERVICE, 2569)
        w = Walker(world, iid)
        stage1(w)
        stage2 = w.with_files("officer.a", example("sla/stage2"))
        stage2["manual"] = {"needs_permit": True, "criteria": "เป็นเจ้าของรถที่จดทะเบียนแล้ว",
                            "method": "ยื่นแบบคำขอพร้อมเอกสาร", "consideration_time": "15 นาที",
                            "apply_at": "สำนักงานขนส่งทุกแห่ง", "apply_online": "https://eservice.example.go.th"}
        w.do("stage2_sla", "officer.a", stage2)
        w.review("review_stage2", "supervisor.a", "approve")
        w.do("publish_sla", "officer.a", form="sla/publish")
        # posted, but not yet approved for the public: nothing is public
        assert publication.directory(world.ctx).total == 0
        w.review("review_publish", "supervisor.a", "approve")
    return w


def _url(world, path=""):
    return f"/public/A/{publication.slug_of(SERVICE)}{path}"


def test_published_sla_is_public_without_login_or_cookie(app, world, published):
    client = app.test_client()
    r = client.get(_url(world))
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    html = r.get_data(as_text=True)
    assert SERVICE in html and "กรมทดสอบ ก" in html and "15 นาที" in html  # the promised time
    assert "ตามอัตราที่กฎหมายกำหนด" in html  # a fee given as text
    assert "1584" in html  # a complaint channel
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    # cached: the same version answers 304 to its ETag or its Last-Modified
    again = client.get(_url(world), headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    since = client.get(_url(world), headers={"If-Modified-Since": r.headers["Last-Modified"]})
    assert since.status_code == 304
    english = client.get(_url(world) + "?lang=en")
    assert english.status_code == 200 and "· 1 copy<" in english.get_data(as_text=True)  # not "1 copies"
    assert "· 1 ฉบับ" in html
    assert "Set-Cookie" not in client.get(_url(world) + "?lang=en").headers
    # the directory finds it by service, agency and ministry; unknown addresses are not found
    listing = client.get("/public/?q=ภาษีรถ").get_data(as_text=True)
    assert SERVICE in listing and "1 " in listing
    assert SERVICE not in client.get("/public/?q=ไม่มีบริการนี้").get_data(as_text=True)
    assert client.get("/public/A/ไม่มี").status_code == 404
    assert client.get("/public/B/" + publication.slug_of(SERVICE)).status_code == 404
    assert client.get("/public/%3Cscript%3E/x").status_code == 404


def test_citizen_manual_and_poster(app, world, published):
    client = app.test_client()
    manual = client.get(_url(world, "/manual"))
    assert manual.status_code == 200
    text = manual.get_data(as_text=True)
    assert "เป็นเจ้าของรถที่จดทะเบียนแล้ว" in text and "https://eservice.example.go.th" in text
    poster = client.get(_url(world, "/poster.pdf"))
    assert poster.status_code == 200 and poster.mimetype == "application/pdf" and poster.data.startswith(b"%PDF")
    assert b"Sarabun" in _inflated(poster.data)  # the Thai font is embedded


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams expanded (font names live in object streams)."""
    import zlib

    out = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end():match.end() + 2_000_000]))
        except zlib.error:
            continue
    return b"".join(out)


def test_withdrawn_or_replaced_sla(app, world, published):
    ctx = world.ctx
    page_id = publication.page(ctx, "A", publication.slug_of(SERVICE)).id
    with pytest.raises(Exception):
        publication.withdraw(ctx, world.actor("officer.a"), page_id, "ไม่ใช้แล้ว")
    with pytest.raises(Exception):
        publication.withdraw(ctx, world.actor("supervisor.a"), page_id, " ")
    publication.withdraw(ctx, world.actor("supervisor.a"), page_id, "ยกเลิกบริการ")
    assert app.test_client().get(_url(world)).status_code == 404
    with ctx.uow(write=False) as uow:
        actions = list(uow.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("sla.%"))))
    assert actions == ["sla.publish", "sla.withdraw"]


def _open_survey(world, fy=2569):
    today = date.today()
    sid = surveys.create(world.ctx, world.actor("central"), fy, "สำรวจความพึงพอใจ", TEMPLATE,
                         today - timedelta(days=1), today + timedelta(days=30))
    surveys.set_status(world.ctx, world.actor("central"), sid, "open")
    return sid


def _answers(rating="5", **extra):
    data = {q["id"]: rating for q in TEMPLATE["questions"] if q["type"] == "scale"}
    data.update({"group": "public", "on_time": "yes"}, **extra)
    return data


def test_survey_answers_are_anonymous_limited_and_feed_satisfaction(app, world, published):
    client = app.test_client()
    assert "survey-closed" in client.get(_url(world, "/survey")).get_data(as_text=True)
    sid = _open_survey(world)
    page = client.get(_url(world, "/survey"))
    assert page.status_code == 200 and "Set-Cookie" not in page.headers and "csrf_token" not in page.get_data(True)
    # bad answers: a clear message, nothing stored
    for bad in (_answers("9"), _answers(group="alien"), dict(_answers(), injected="x"), {"group": "public"},
                _answers(suggestion="ก" * 2000)):
        r = client.post(_url(world, "/survey"), data=bad)
        assert r.status_code == 400 and 'data-testid="survey-errors"' in r.get_data(as_text=True)
    ok = client.post(_url(world, "/survey"), data=_answers("5", suggestion="<b>ดีมาก</b>"),
                     headers={"User-Agent": "phone-1"})
    assert ok.status_code == 200 and 'data-testid="survey-thanks"' in ok.get_data(as_text=True)
    assert "Set-Cookie" not in ok.headers
    # one answer per device per service per day
    again = client.post(_url(world, "/survey"), data=_answers("1"), headers={"User-Agent": "phone-1"})
    assert again.status_code == 409
    assert client.post(_url(world, "/survey"), data=_answers("2"), headers={"User-Agent": "phone-2"}).status_code == 200
    with world.ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
    assert [str(r.mean_rating) for r in rows] == ["5.0000", "2.0000"] and all(len(r.device) == 48 for r in rows)
    # results: 50 % satisfied, 50 % dissatisfied; the free text is kept as text
    found = surveys.results(world.ctx, world.actor("central"), sid)
    assert found.total["satisfied_percent"] == "50.00" and found.total["dissatisfied_percent"] == "50.00"
    assert found.texts[0]["text"] == "<b>ดีมาก</b>"
    central = app.test_client()
    login(central, "central")
    html = central.get(f"/central/surveys/{sid}").get_data(as_text=True)
    assert "&lt;b&gt;ดีมาก&lt;/b&gt;" in html and "<b>ดีมาก</b>" not in html
    xlsx = load_workbook(io.BytesIO(central.get(f"/central/surveys/{sid}?format=xlsx").data))
    assert xlsx["รายกระบวนงาน"].cell(2, 3).value == 2
    # indicator 2.3 from the survey: 50 % satisfied is below the 65 % of level 1
    scoring.copy_schemes(world.ctx, world.actor("central"), 2558, 2569)
    with time_machine.travel(datetime(2026, 10, 20, 3, tzinfo=UTC), tick=False):
        scoring.recompute(world.ctx, world.actor("central"), 2569)
    card = scoring.scorecard(world.ctx, world.actor("central"), world.agency_a, 2569)
    line = {x["code"]: x for x in card.scores[0]["indicators"]}["2.3"]
    assert line["value"] == "50.0000" and line["level"] == "0.0000"


def test_the_address_limit(app, world, published, monkeypatch):
    from web import public

    monkeypatch.setattr(public, "LIMITER", public.AddressLimiter(limit=3, window=60))
    _open_survey(world)
    client = app.test_client()
    codes = [client.post(_url(world, "/survey"), data=_answers(), headers={"User-Agent": f"ua-{i}"}).status_code
             for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_the_public_pages_read_published_content_only(app, world):
    """Nothing of a workflow is reachable before its publication is approved."""
    scoring.install_shipped(world.ctx)
    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        w = Walker(world, instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, SERVICE, 2569))
        stage1(w)
    client = app.test_client()
    assert client.get("/public/").status_code == 200
    assert client.get(_url(world)).status_code == 404
    assert re.search(r"0 ", client.get("/public/").get_data(as_text=True))


def test_staff_poster_dashboard_and_withdrawal(app, world, published):
    officer = app.test_client()
    login(officer, "officer.a")
    poster = officer.get(f"/instances/{published.iid}/poster.pdf")
    assert poster.status_code == 200 and poster.data.startswith(b"%PDF")
    stranger = app.test_client()
    login(stranger, "officer.b")
    assert stranger.get(f"/instances/{published.iid}/poster.pdf").status_code == 404
    _open_survey(world)
    app.test_client().post(_url(world, "/survey"), data=_answers("4", suggestion="รวดเร็วดี"))
    board = officer.get("/dashboard?fy=2569").get_data(as_text=True)
    assert 'data-testid="publications"' in board and _url(world).split("/")[-1] in board
    assert "รวดเร็วดี" in board and 'data-testid="withdraw"' not in board  # officers cannot withdraw
    supervisor = app.test_client()
    login(supervisor, "supervisor.a")
    from tests.web.conftest import csrf_token

    token = csrf_token(supervisor, "/dashboard?fy=2569")
    page_id = publication.page(world.ctx, "A", publication.slug_of(SERVICE)).id
    assert supervisor.post(f"/dashboard/publications/{page_id}/withdraw",
                           data={"reason": "", "csrf_token": token}).status_code == 400
    assert supervisor.post(f"/dashboard/publications/{page_id}/withdraw",
                           data={"reason": "ปรับปรุงข้อตกลงใหม่", "csrf_token": token}).status_code == 302
    assert app.test_client().get(_url(world)).status_code == 404
