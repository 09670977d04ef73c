"""REST API v1: a system with a token does what the web does, under the same rules."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import update

from engine.models import ApiToken, utcnow
from engine.services import api_tokens
from tests.conftest import SELECT_OK
from tests.web.conftest import login
from tests.workflows.test_sla_paths import START, deploy_all

SERVICE = "การชำระภาษีรถประจำปี"


def _token(world, name, scopes=("read", "work")):
    return api_tokens.create(world.ctx, world.actor(name), f"ระบบทดสอบของ {name}", list(scopes))


def _start(api, token, agency_id, service=SERVICE):
    return api.post("/api/v1/workflows", headers=_auth(token), json={
        "process_id": "sla_lifecycle", "agency_id": agency_id, "service_process": service, "fiscal_year": 2569})


def _auth(token, **headers):
    return {"Authorization": f"Bearer {token}", **headers}


@pytest.fixture
def api(app):
    return app.test_client()


def test_a_system_starts_a_workflow_submits_its_first_task_and_reads_status_and_score(api, world):
    """What another agency system does with the API only (the issue's "done when")."""
    deploy_all(world.ctx)
    token = _token(world, "officer.a")
    with time_machine.travel(START, tick=False):
        r = _start(api, token, world.agency_a)
        assert r.status_code == 201, r.get_json()
        workflow_id = r.get_json()["id"]
        assert r.headers["Location"].endswith(f"/api/v1/workflows/{workflow_id}")
        listed = api.get("/api/v1/tasks?scope=pool", headers=_auth(token)).get_json()
        task = next(t for t in listed["items"] if t["instance_id"] == workflow_id)
        assert api.post(f"/api/v1/tasks/{task['id']}/claim", headers=_auth(token)).status_code == 200
        assert api.put(f"/api/v1/tasks/{task['id']}/draft", headers=_auth(token),
                       json={"data": {"process_name": "ร่าง"}}).status_code == 200
        r = api.post(f"/api/v1/tasks/{task['id']}/submit", headers=_auth(token), json={"data": SELECT_OK})
        assert r.status_code == 200, r.get_json()
        status = api.get(f"/api/v1/workflows/{workflow_id}", headers=_auth(token)).get_json()
    assert status["status"] == "running"
    top = status["stages"]["sla_lifecycle"]
    assert top["select_process"] == "done" and top["stage1"] == "current"
    assert [t["bpmn_id"] for t in status["open_tasks"]] == ["stage1_targets"]
    assert any("select_process" in str(e) or e["task_name"] for e in status["timeline"])
    card = api.get(f"/api/v1/agencies/{world.agency_a}/scorecard?fiscal_year=2569", headers=_auth(token))
    assert card.status_code == 200 and card.get_json()["agency_id"] == world.agency_a


def test_field_errors_in_thai_or_english_and_nothing_saved(api, world):
    deploy_all(world.ctx)
    token = _token(world, "officer.a")
    with time_machine.travel(START, tick=False):
        workflow_id = _start(api, token, world.agency_a).get_json()["id"]
        task = next(t for t in api.get("/api/v1/tasks", headers=_auth(token)).get_json()["items"]
                    if t["instance_id"] == workflow_id)
        th = api.post(f"/api/v1/tasks/{task['id']}/submit", headers=_auth(token), json={"data": {}})
        en = api.post(f"/api/v1/tasks/{task['id']}/submit", headers=_auth(token, **{"Accept-Language": "en"}),
                      json={"data": {}})
    assert th.status_code == 422 and th.headers["Content-Type"] == "application/problem+json"
    body_th, body_en = th.get_json(), en.get_json()
    assert body_th["code"] == "form_invalid" and "process_name" in body_th["errors"]
    assert body_th["errors"]["process_name"] != body_en["errors"]["process_name"]  # Thai, then English
    assert api.get(f"/api/v1/workflows/{workflow_id}", headers=_auth(token)).get_json()["open_tasks"][0]["bpmn_id"] \
        == "select_process"


def test_same_rules_as_the_web(api, world):
    deploy_all(world.ctx)
    mine, other, reader = _token(world, "officer.a"), _token(world, "officer.b"), _token(world, "officer.a", ["read"])
    with time_machine.travel(START, tick=False):
        workflow_id = _start(api, mine, world.agency_a).get_json()["id"]
        # another agency's workflow is not found, not forbidden
        assert api.get(f"/api/v1/workflows/{workflow_id}", headers=_auth(other)).status_code == 404
        assert api.post("/api/v1/workflows", headers=_auth(other), json={
            "process_id": "sla_lifecycle", "agency_id": world.agency_a, "service_process": "อื่น",
            "fiscal_year": 2569}).status_code == 403
        # a read-only token cannot change anything
        refused = api.post("/api/v1/workflows", headers=_auth(reader), json={
            "process_id": "sla_lifecycle", "agency_id": world.agency_a, "service_process": "อื่น",
            "fiscal_year": 2569})
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    assert api.get("/api/v1/workflows", headers=_auth(other)).get_json()["total"] == 0
    for bad in ("", "Bearer nope", "Bearer slf_unknown", f"Basic {mine}"):
        r = api.get("/api/v1/workflows", headers={"Authorization": bad} if bad else {})
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_stop_at_once(api, world):
    token = _token(world, "officer.a")
    assert api.get("/api/v1/agencies", headers=_auth(token)).status_code == 200
    [row] = api_tokens.listing(world.ctx, world.actor("officer.a"))
    assert row.last_used_at is not None and token.startswith(row.prefix) and token not in str(row)
    api_tokens.revoke(world.ctx, world.actor("officer.a"), row.id)
    assert api.get("/api/v1/agencies", headers=_auth(token)).status_code == 401
    later = _token(world, "officer.a")
    with world.ctx.uow() as uow:
        uow.session.execute(update(ApiToken).where(ApiToken.revoked_at.is_(None))
                            .values(expires_at=utcnow() - timedelta(seconds=1)))
        uow.commit()
    assert api.get("/api/v1/agencies", headers=_auth(later)).status_code == 401


def test_paging_etags_and_public_slas(api, world):
    deploy_all(world.ctx)
    token = _token(world, "central")
    with time_machine.travel(START, tick=False):
        for name in ("บริการ ก", "บริการ ข", "บริการ ค"):
            _start(api, token, world.agency_a, name)
    first = api.get("/api/v1/workflows?per_page=2", headers=_auth(token))
    body = first.get_json()
    assert body["total"] == 3 and len(body["items"]) == 2 and 'rel="next"' in first.headers["Link"]
    again = api.get("/api/v1/workflows?per_page=2", headers=_auth(token, **{"If-None-Match": first.headers["ETag"]}))
    assert again.status_code == 304
    for bad in ("per_page=0", "per_page=101", "page=0", "fiscal_year=2026", "status=sleeping"):
        r = api.get(f"/api/v1/workflows?{bad}", headers=_auth(token))
        assert r.status_code == 400 and r.headers["Content-Type"] == "application/problem+json", bad
    assert api.get("/api/v1/public/slas").status_code == 200  # no token
    assert api.get("/api/v1/public/slas/NOPE/nothing").status_code == 404


def test_records_complaints_and_service_accounts(api, world):
    deploy_all(world.ctx)
    admin = world.actor("admin")
    service_id = api_tokens.create_service_account(world.ctx, admin, world.agency_a, "e-service", ["officer"])
    token = api_tokens.create(world.ctx, admin, "e-service ของกรม", ["read", "work", "records"], user_id=service_id)
    with time_machine.travel(START, tick=False):
        _start(api, token, world.agency_a)
    rows = [{"reference": "REQ-1", "received_at": "2025-11-03 09:00", "completed_at": "2025-11-03 09:20",
             "outcome": "completed", "channel": "online"},
            {"reference": "REQ-2", "received_at": "03/11/2568 10:00", "completed_at": None, "outcome": "pending"}]
    r = api.post("/api/v1/records", headers=_auth(token), json={"agency_id": world.agency_a,
                                                                "service_process": SERVICE, "rows": rows})
    assert r.status_code == 200 and r.get_json()["inserted"] == 2, r.get_json()
    bad = api.post("/api/v1/records", headers=_auth(token), json={
        "agency_id": world.agency_a, "service_process": SERVICE,
        "rows": [{"reference": "REQ-3", "received_at": "yesterday", "outcome": "done"}]})
    assert bad.status_code == 422 and bad.headers["Content-Type"] == "application/problem+json"
    assert {"rows/1/received_at", "rows/1/outcome"} <= set(bad.get_json()["errors"])  # the first row, counted from 1
    complaint = api.post("/api/v1/complaints", headers=_auth(token), json={
        "agency_id": world.agency_a, "service_process": SERVICE, "channel": "web", "category": "delay",
        "subject": "รอนาน", "detail": "รอคิวเกินหนึ่งชั่วโมง"})
    assert complaint.status_code == 201 and complaint.get_json()["code"]
    listing = api.get(f"/api/v1/agencies/{world.agency_a}/complaints", headers=_auth(token)).get_json()
    assert any(row["subject"] == "รอนาน" for row in listing["rows"])
    # a service account never logs in with a password
    from web import create_app

    web = create_app(ctx=world.ctx).test_client()
    username = next(s["username"] for s in __import__("engine.services.accounts", fromlist=["x"]).service_accounts(
        world.ctx, admin))
    assert login(web, username, "!").status_code != 302


def test_rate_limit_per_token(api, world, monkeypatch):
    from web.api import routes

    monkeypatch.setattr(routes, "RATE_PER_MINUTE", 3)
    token = _token(world, "officer.a")
    codes = [api.get("/api/v1/agencies", headers=_auth(token)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_health_and_readiness_without_login(api, world):
    from engine.services import timers

    assert api.get("/healthz").get_json() == {"alive": True}
    assert api.get("/readyz").status_code == 503  # the scheduler has never swept
    timers.sweep(world.ctx)
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {
        "database": True, "migrations": True, "scheduler": True}


def test_the_document_describes_every_operation_and_nothing_else(app):
    """The OpenAPI document is generated from the registered operations: it cannot drift from the routes."""
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    import re

    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint not in ("api.openapi", "api.docs"):
            path = re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            routed |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    assert app.test_client().get("/api/v1/docs").status_code == 200
