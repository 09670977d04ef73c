"""Operators' pages: health, incidents with retry, the calendars; roles enforced."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import CalendarDay, Deadline, Incident, ReportingMilestone, utcnow
from engine.services import instances
from tests.conftest import ADMIN, REVIEW
from tests.web.conftest import csrf_token, login


def test_health_page_and_retry(app, client, world):
    iid = instances.start(world.ctx, ADMIN, REVIEW, world.agency_a, "ภาษีรถ", 2569)
    with world.ctx.uow() as uow:
        uow.session.add(Deadline(instance_id=iid, spiff_task_id="x-timer", bpmn_id="due", kind="timer",
                                 due_at=utcnow(), status="failed", attempts=3, last_error="handler failed",
                                 expression=""))
        uow.session.add(Incident(instance_id=iid, kind="timer_failed", message="timer due: handler failed",
                                 created_at=utcnow()))
        uow.commit()
    login(client, "officer.a")
    assert client.get("/operations").status_code == 403
    client = app.test_client()
    login(client, "central")
    html = client.get("/operations").get_data(as_text=True)
    assert "timer_failed" in html and "handler failed" in html and "ตัวจัดกำหนดเวลายังไม่เคยทำงาน" in html
    incident_id = world.ctx.sessions().scalar(select(Incident.id))
    token = csrf_token(client, "/operations")
    assert client.post(f"/operations/incidents/{incident_id}/retry", data={"csrf_token": token}).status_code == 302
    with world.ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(Deadline.status).where(Deadline.spiff_task_id == "x-timer")) == "pending"
        assert uow.session.get(Incident, incident_id).resolved_at is not None
    assert client.post(f"/operations/incidents/{incident_id}/retry", data={"csrf_token": token}).status_code == 409


def test_calendar_pages(client, world):
    login(client, "admin")
    html = client.get("/calendar?year=2026").get_data(as_text=True)
    assert "13 เม.ย. 2569" in html  # Songkran, official
    token = csrf_token(client, "/calendar")
    r = client.post("/calendar", data={"day": "2026-04-17", "action": "holiday", "reason": "วันหยุดพิเศษ",
                                       "csrf_token": token})
    assert r.status_code == 302
    assert client.post("/calendar", data={"day": "not-a-date", "action": "holiday", "reason": "x",
                                          "csrf_token": token}).status_code == 400
    assert client.post("/calendar", data={"day": "2026-04-18", "action": "holiday", "reason": "",
                                          "csrf_token": token}).status_code == 400
    with world.ctx.uow(write=False) as uow:
        assert [d.reason for d in uow.session.scalars(select(CalendarDay))] == ["วันหยุดพิเศษ"]
    assert "วันหยุดพิเศษ" in client.get("/calendar?year=2026").get_data(as_text=True)
    client.post("/calendar", data={"day": "2026-04-17", "action": "remove", "csrf_token": token})
    with world.ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(CalendarDay)) is None


def test_reporting_calendar_editable_by_the_central_office_only(app, client, world):
    login(client, "officer.a")
    assert "disabled" in client.get("/reporting-calendar?fy=2569").get_data(as_text=True)
    token = csrf_token(client, "/reporting-calendar?fy=2569")
    assert client.post("/reporting-calendar", data={"fy": 2569, "report_6": "2026-04-20",
                                                   "csrf_token": token}).status_code == 403
    client = app.test_client()
    login(client, "central")
    token = csrf_token(client, "/reporting-calendar?fy=2569")
    assert client.post("/reporting-calendar", data={"fy": 2569, "report_6": "2026-04-20",
                                                   "csrf_token": token}).status_code == 302
    with world.ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(ReportingMilestone.due_date)).isoformat() == "2026-04-20"
    assert client.post("/reporting-calendar", data={"fy": 2569, "report_6": "1999-01-01",
                                                   "csrf_token": token}).status_code == 400
    # each evaluator's calendar is its own: the department's is edited by its กลุ่มพัฒนาระบบบริหาร
    assert client.post("/reporting-calendar", data={"fy": 2569, "calendar": "internal", "report_6": "2026-04-09",
                                                   "shift": "next", "csrf_token": token}).status_code == 403
    client = app.test_client()
    login(client, "evaluator.a")
    token = csrf_token(client, "/reporting-calendar?fy=2569")
    assert client.post("/reporting-calendar", data={"fy": 2569, "calendar": "internal", "report_6": "2026-04-09",
                                                   "shift": "next", "csrf_token": token}).status_code == 302
    page = client.get("/reporting-calendar?fy=2569").get_data(as_text=True)
    assert 'data-testid="calendar-sla_kpi"' in page and 'data-testid="calendar-internal"' in page
    assert "20 เม.ย. 2569" in page and "9 เม.ย. 2569" in page
    assert client.post("/reporting-calendar", data={"fy": 2569, "calendar": "nope", "report_6": "2026-04-09",
                                                   "csrf_token": token}).status_code == 400
