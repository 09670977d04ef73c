"""Designer routes: save, validate, deploy, migrate with valid and invalid input; other roles refused."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from engine.models import DesignDraft, ProcessVersion
from engine.services import instances
from tests.bpmn_factory import one_task
from tests.conftest import ADMIN, REVIEW
from tests.engine.test_bpmn_loading import LAUGHS, XXE
from tests.web.conftest import csrf_token, login


@pytest.fixture
def designer_client(app):
    client = app.test_client()
    login(client, "designer")
    return client


def _headers(client):
    return {"X-CSRFToken": csrf_token(client, "/designer/"), "Accept": "application/json"}


def _new_draft_from_version(client, world):
    token = csrf_token(client, "/designer/")
    r = client.post("/designer/drafts", data={"version_id": world.deployed.version_id, "csrf_token": token})
    assert r.status_code == 302
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_other_roles_are_refused(app, world):
    for user in ("officer.a", "supervisor.a", "central"):
        client = app.test_client()
        login(client, user)
        assert client.get("/designer/").status_code == 403
        token = csrf_token(client, "/notifications")
        assert client.post("/designer/drafts", data={"csrf_token": token}).status_code == 403
        h = {"X-CSRFToken": token, "Accept": "application/json"}
        for path in ("/designer/drafts/1/save", "/designer/drafts/1/validate", "/designer/drafts/1/deploy"):
            assert client.post(path, json={}, headers=h).status_code in (403, 400)
        assert client.post(f"/designer/versions/{world.deployed.version_id}/migrate",
                           data={"csrf_token": token}).status_code == 403


def test_editor_save_validate_deploy(designer_client, world):
    client = designer_client
    draft_id = _new_draft_from_version(client, world)
    page = client.get(f"/designer/drafts/{draft_id}").get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in page and "review_cycle.bpmn" in page
    h = _headers(client)
    draft = world.ctx.sessions().get(DesignDraft, draft_id)
    files, forms = dict(draft.files), dict(draft.forms)
    # a broken diagram is refused with the problem, and the draft keeps its last good content
    r = client.post(f"/designer/drafts/{draft_id}/save", json={"files": {"x.bpmn": XXE}, "forms": forms}, headers=h)
    assert r.status_code == 422 and r.get_json()["problems"][0]["code"] == "doctype"
    r = client.post(f"/designer/drafts/{draft_id}/save", json={"files": "nope"}, headers=h)
    assert r.status_code == 400
    assert world.ctx.sessions().get(DesignDraft, draft_id).files == files
    # a timer that is not quoted: saved (drafts may be wrong) but validation names the element
    bad = one_task(timer="PT1S")
    r = client.post(f"/designer/drafts/{draft_id}/save", json={"files": {"t.bpmn": bad}, "forms": forms}, headers=h)
    assert r.status_code == 200
    problems = client.post(f"/designer/drafts/{draft_id}/validate", json={}, headers=h).get_json()["problems"]
    assert [(p["code"], p["element_id"]) for p in problems] == [("timer_unquoted", "timer1")]
    assert "เครื่องหมายคำพูด" in problems[0]["message"]
    r = client.post(f"/designer/drafts/{draft_id}/deploy", json={"note": "ลอง"}, headers=h)
    assert r.status_code == 422 and r.get_json()["problems"]
    good = one_task(timer='"2026-04-10T23:59:59+07:00"')
    client.post(f"/designer/drafts/{draft_id}/save", json={"files": {"t.bpmn": good}, "forms": forms}, headers=h)
    assert client.post(f"/designer/drafts/{draft_id}/deploy", json={"note": ""}, headers=h).status_code == 400
    r = client.post(f"/designer/drafts/{draft_id}/deploy", json={"note": "กระบวนงานทดสอบ"}, headers=h)
    body = r.get_json()
    assert r.status_code == 200 and body["created"] and body["process_id"] == "p"
    assert "กระบวนงานทดสอบ" in client.get(body["url"]).get_data(as_text=True)


def test_upload_hostile_and_real_files(designer_client):
    client = designer_client
    token = csrf_token(client, "/designer/")
    for payload in (XXE, LAUGHS, "not xml at all"):
        r = client.post("/designer/drafts", data={"csrf_token": token, "files": (io.BytesIO(payload.encode()), "x.bpmn")},
                        content_type="multipart/form-data")
        assert r.status_code == 303
        assert "ไม่" in client.get("/designer/").get_data(as_text=True)  # the reason is shown
    r = client.post("/designer/drafts", data={"csrf_token": token,
                                              "files": (io.BytesIO(one_task().encode()), "mine.bpmn")},
                    content_type="multipart/form-data")
    assert r.status_code == 302


def test_migrate_route(designer_client, world):
    client = designer_client
    iid = instances.start(world.ctx, ADMIN, REVIEW, world.agency_a, "บริการ", 2569)
    draft_id = _new_draft_from_version(client, world)
    h = _headers(client)
    draft = world.ctx.sessions().get(DesignDraft, draft_id)
    xml = draft.files["review_cycle.bpmn"].replace("พิจารณาขั้นที่ 1", "พิจารณาขั้นที่ 1 (ฉบับปรับปรุง)")
    client.post(f"/designer/drafts/{draft_id}/save", json={"files": {"review_cycle.bpmn": xml},
                                                           "forms": draft.forms}, headers=h)
    v2 = client.post(f"/designer/drafts/{draft_id}/deploy", json={"note": "เปลี่ยนชื่อ"}, headers=h).get_json()
    page = client.get(v2["url"]).get_data(as_text=True)
    assert f'value="{iid}"' in page  # movable: the instance waits at a task that did not change
    version_id = int(v2["url"].rsplit("/", 1)[-1])
    token = csrf_token(client, v2["url"])
    assert client.post(f"/designer/versions/{version_id}/migrate", data={"csrf_token": token}).status_code == 400
    r = client.post(f"/designer/versions/{version_id}/migrate", data={"csrf_token": token, "instance_id": [iid]})
    assert r.status_code == 302
    with world.ctx.uow(write=False) as uow:
        from engine.models import Instance

        assert uow.session.get(Instance, iid).version_id == version_id
        assert uow.session.scalar(select(ProcessVersion.note).where(ProcessVersion.id == version_id)) == "เปลี่ยนชื่อ"
    assert client.get(f"/designer/versions/{version_id}/files/review_cycle.bpmn").status_code == 200
    assert client.get(f"/designer/versions/{version_id}/files/../../etc/passwd").status_code == 404


def test_import_asks_the_roles_then_makes_a_draft_and_refuses_bad_input(app, designer_client, world):
    import base64

    from engine.config import REPO_ROOT

    client = designer_client
    invoice = (REPO_ROOT / "tests" / "data" / "camunda7_invoice.bpmn").read_bytes()
    token = csrf_token(client, "/designer/")
    page = client.post("/designer/import/", data={"csrf_token": token, "files": (io.BytesIO(invoice), "inv.bpmn")},
                       content_type="multipart/form-data")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "accounting" in body and 'value="supervisor" selected' in body

    def count():
        with world.ctx.uow(write=False) as uow:
            return len(uow.session.scalars(select(DesignDraft.id)).all())

    before = count()
    blob = base64.b64encode(invoice).decode()
    for bad in ({"file_name": "inv.bpmn", "file_data": "***not base64***"},          # mangled in transit
                {"file_name": ["a.bpmn", "b.bpmn"], "file_data": blob},              # names and files differ
                {"file_name": "inv.bpmn", "file_data": blob, "performer": "demo", "role": "admin"},  # not a task role
                {"file_name": "x.bpmn", "file_data": base64.b64encode(LAUGHS.encode()).decode()}):
        r = client.post("/designer/import/convert", data={"csrf_token": token, **bad})
        assert r.status_code == 303 and count() == before
    assert client.post("/designer/import/", data={"csrf_token": token}).status_code == 303  # no file chosen
    r = client.post("/designer/import/convert", data={"csrf_token": token, "file_name": "inv.bpmn", "file_data": blob,
                                                      "performer": ["accounting", "demo"],
                                                      "role": ["officer", "supervisor"], "default_role": "officer"})
    assert r.status_code == 303 and count() == before + 1
    edit = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "รายงานการนำเข้า" in edit and "approve-invoice.html" in edit
    officer = app.test_client()
    login(officer, "officer.a")
    assert officer.post("/designer/import/", data={"csrf_token": csrf_token(officer, "/notifications")}).status_code \
        == 403
