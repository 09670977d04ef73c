"""Every route, for every kind of user: another agency's records answer 404, the wrong role 403,
anonymous users go to the login page, and no POST passes without a CSRF token."""
from __future__ import annotations

import pytest

from engine.models import Document, utcnow
from engine.services import files, inbox, instances
from tests import samples
from tests.conftest import ADMIN, REVIEW
from tests.web.conftest import csrf_token, login

USERS = ["officer.a", "supervisor.a", "officer.b", "supervisor.b", "central", "designer", "admin", None]


@pytest.fixture
def records(world):
    ctx = world.ctx
    iid = instances.start(ctx, ADMIN, REVIEW, world.agency_a, "บริการของ ก", 2569)
    task = inbox.list_tasks(ctx, world.actor("officer.a"))[0][0]
    file_id = files.upload(ctx, world.actor("officer.a"), iid, "หลักฐาน.pdf", samples.pdf())
    with ctx.uow() as uow:
        doc = Document(instance_id=iid, kind="sla", title="SLA", body="<p>SLA</p>", created_at=utcnow())
        uow.session.add(doc)
        uow.flush()
        doc_id = doc.id
        uow.commit()
    return {"instance": iid, "task": task.id, "file": file_id, "doc": doc_id, "agency": world.agency_a}


SEE_A = {"officer.a": 200, "supervisor.a": 200, "officer.b": 404, "supervisor.b": 404, "central": 200,
         "designer": 404, "admin": 200, None: 302}
GETS = {
    "/tasks/{task}": SEE_A,
    "/instances/{instance}": SEE_A,
    "/files/{file}": SEE_A,
    "/documents/{doc}": SEE_A,
    "/dashboard?agency={agency}": {**SEE_A, "officer.b": 200, "supervisor.b": 200},  # their own agency instead
    "/": {u: 200 for u in USERS[:-1]} | {None: 302},
    "/notifications": {u: 200 for u in USERS[:-1]} | {None: 302},
    "/password": {u: 200 for u in USERS[:-1]} | {None: 302},
    "/admin/users": {u: 403 for u in USERS[:-1]} | {"admin": 200, None: 302},
    "/admin/agencies": {u: 403 for u in USERS[:-1]} | {"admin": 200, None: 302},
    "/tasks/999999": {u: 404 for u in USERS[:-1]} | {None: 302},
    "/instances/999999": {u: 404 for u in USERS[:-1]} | {None: 302},
    "/files/999999": {u: 404 for u in USERS[:-1]} | {None: 302},
}
CLAIM = {"officer.a": 302, "supervisor.a": 403, "officer.b": 404, "supervisor.b": 404, "central": 403,
         "designer": 404, "admin": 403, None: 302}  # administrators see, but do no agency work


def _client_for(app, user):
    client = app.test_client()
    if user:
        login(client, user)
    return client


@pytest.mark.parametrize("user", USERS)
def test_get_matrix(app, records, user):
    client = _client_for(app, user)
    for pattern, expected in GETS.items():
        path = pattern.format(**records)
        got = client.get(path).status_code
        if user == "designer" and pattern.startswith("/dashboard"):
            expected_status = 404  # belongs to no agency
        elif user in ("officer.b", "supervisor.b") and pattern.startswith("/dashboard"):
            expected_status = 404  # asking for agency A's dashboard
        else:
            expected_status = expected[user]
        assert got == expected_status, f"{user} GET {path}: {got}, expected {expected_status}"


@pytest.mark.parametrize("user", USERS)
def test_claim_matrix(app, records, user):
    client = _client_for(app, user)
    token = csrf_token(client, "/login") if user is None else csrf_token(client, "/notifications")
    got = client.post(f"/tasks/{records['task']}/claim", data={"csrf_token": token}).status_code
    assert got == CLAIM[user], f"{user}: {got}"


@pytest.mark.parametrize("user", ["officer.b", "supervisor.b", "central", "designer"])
def test_json_endpoints_refuse_other_agencies_and_roles(app, records, user):
    client = _client_for(app, user)
    token = csrf_token(client, "/notifications")
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    expected = 404 if user in ("officer.b", "supervisor.b", "designer") else 403
    for path in (f"/tasks/{records['task']}/draft", f"/tasks/{records['task']}/submit"):
        assert client.post(path, json={"process_name": "x"}, headers=headers).status_code == expected
    up = client.post(f"/instances/{records['instance']}/files", headers=headers,
                     data={"file": (__import__("io").BytesIO(samples.pdf()), "x.pdf")})
    assert up.status_code == (404 if expected == 404 else 403)


POSTS = ["/tasks/{task}/claim", "/tasks/{task}/release", "/tasks/{task}/draft", "/tasks/{task}/submit",
         "/instances/{instance}/files", "/notifications/read", "/logout", "/password", "/admin/users",
         "/admin/agencies", "/login"]


def test_every_post_refuses_a_missing_csrf_token(app, records):
    client = _client_for(app, "admin")
    for pattern in POSTS:
        path = pattern.format(**records)
        assert client.post(path, data={}).status_code == 400, path
        assert client.post(path, json={}, headers={"Accept": "application/json"}).status_code == 400, path


def test_json_errors_are_thai_and_by_field(app, records):
    client = _client_for(app, "officer.a")
    token = csrf_token(client, "/notifications")
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    r = client.post(f"/tasks/{records['task']}/submit", json={"process_name": ""}, headers=headers)
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"] == "ข้อมูลไม่ถูกต้อง" and "criteria" in body["errors"]
    assert client.post(f"/tasks/{records['task']}/submit", data="not json", headers=headers).status_code == 400
    assert client.post(f"/tasks/{records['task']}/submit", json=[1, 2], headers=headers).status_code == 400
    bad_file = client.post(f"/instances/{records['instance']}/files", headers=headers,
                           data={"file": (__import__("io").BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf")})
    assert bad_file.status_code == 400 and "ไม่ตรงกับนามสกุล" in bad_file.get_json()["detail"]
    exe = client.post(f"/instances/{records['instance']}/files", headers=headers,
                      data={"file": (__import__("io").BytesIO(b"MZ"), "tool.exe")})
    assert exe.status_code == 400 and "ไม่รับไฟล์ชนิดนี้" in exe.get_json()["detail"]


def test_second_person_on_the_same_task_gets_a_clear_message(app, records):
    from tests.conftest import SELECT_OK

    first, second = _client_for(app, "officer.a"), _client_for(app, "officer.a2")
    h1 = {"X-CSRFToken": csrf_token(first, "/notifications"), "Accept": "application/json"}
    h2 = {"X-CSRFToken": csrf_token(second, "/notifications"), "Accept": "application/json"}
    assert first.post(f"/tasks/{records['task']}/submit", json=SELECT_OK, headers=h1).status_code == 200
    late = second.post(f"/tasks/{records['task']}/submit", json=SELECT_OK, headers=h2)
    assert late.status_code == 409
    assert "โหลดหน้าใหม่" in late.get_json()["detail"]
    page = second.get(f"/tasks/{records['task']}").get_data(as_text=True)
    assert "ส่งแล้ว" in page and 'id="submit-task"' not in page  # read-only now


def test_starting_a_workflow_from_the_dashboard(app, world):
    client = _client_for(app, "officer.a")
    token = csrf_token(client, "/dashboard")
    r = client.post("/dashboard/start", data={"csrf_token": token, "agency": world.agency_a, "process": "review_cycle",
                                              "service_process": "บริการใหม่", "fy": "2570"})
    assert r.status_code == 302 and "/instances/" in r.headers["Location"]
    again = client.post("/dashboard/start", data={"csrf_token": token, "agency": world.agency_a,
                                                  "process": "review_cycle", "service_process": "บริการใหม่",
                                                  "fy": "2570"})
    assert again.status_code == 409  # one per agency, service process and fiscal year
    other = client.post("/dashboard/start", data={"csrf_token": token, "agency": world.agency_b,
                                                  "process": "review_cycle", "service_process": "ของคนอื่น", "fy": "2570"})
    assert other.status_code in (403, 404)
    blank = client.post("/dashboard/start", data={"csrf_token": token, "process": "review_cycle",
                                                  "service_process": "  ", "fy": "2570"})
    assert blank.status_code == 400
    html = client.get("/dashboard?fy=2570").get_data(as_text=True)
    assert "บริการใหม่" in html
