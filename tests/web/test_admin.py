"""Administration pages: only administrators; agencies and users with roles; audited."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import AuditEvent, User
from tests.web.conftest import csrf_token, login


def test_only_admins(client):
    login(client, "supervisor.a")
    for path in ("/admin/agencies", "/admin/users", "/admin/users/1"):
        assert client.get(path).status_code == 403


def test_create_agency_and_user_then_edit_roles(client, world):
    login(client, "admin")
    token = csrf_token(client, "/admin/agencies")
    r = client.post("/admin/agencies", data={"code": "DOH", "name": "กรมทางหลวง", "ministry": "กระทรวงคมนาคม",
                                             "csrf_token": token})
    assert r.status_code == 302
    assert "กรมทางหลวง" in client.get("/admin/agencies").get_data(as_text=True)
    bad = client.post("/admin/agencies", data={"code": "", "name": "", "csrf_token": token})
    assert bad.status_code == 400
    html = client.get("/admin/users").get_data(as_text=True)
    agency_id = world.agency_b
    r = client.post("/admin/users", data={"username": "new.officer", "display_name": "เจ้าหน้าที่ใหม่",
                                          "email": "new@example.go.th", "agency_id": agency_id,
                                          "roles": ["officer"], "password": "long-enough-1", "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert "new.officer" in client.get("/admin/users").get_data(as_text=True)
    with world.ctx.uow(write=False) as uow:
        user = uow.session.scalar(select(User).where(User.username == "new.officer"))
        assert user.roles == {"officer"} and user.agency_id == agency_id
    r = client.post(f"/admin/users/{user.id}", data={"username": "new.officer", "display_name": "เจ้าหน้าที่ใหม่",
                                                     "email": "new@example.go.th", "agency_id": agency_id,
                                                     "roles": ["officer", "supervisor"], "active": "y",
                                                     "csrf_token": token})
    assert r.status_code == 302
    with world.ctx.uow(write=False) as uow:
        assert uow.session.get(User, user.id).roles == {"officer", "supervisor"}
        assert uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update")).after == {
            "roles": ["officer", "supervisor"], "user_id": user.id, "username": user.username}  # whose roles
    # officers need an agency; nonsense is refused without a change
    r = client.post(f"/admin/users/{user.id}", data={"username": "new.officer", "display_name": "x", "agency_id": 0,
                                                     "roles": ["officer"], "active": "y", "csrf_token": token})
    assert r.status_code == 400
    r = client.post("/admin/users", data={"username": "dup", "display_name": "x", "roles": ["hacker"],
                                          "password": "long-enough-1", "csrf_token": token})
    assert r.status_code == 400
    assert html


def test_duplicate_codes_and_usernames_are_field_errors(client, world):
    login(client, "admin")
    token = csrf_token(client, "/admin/agencies")
    dup = client.post("/admin/agencies", data={"code": "A", "name": "ซ้ำ", "region": "ภาคเหนือ", "csrf_token": token})
    assert dup.status_code == 400 and "ไม่สามารถรับค่านี้ได้" in dup.get_data(as_text=True)
    dup = client.post("/admin/users", data={"username": "officer.a", "display_name": "ซ้ำ", "roles": ["designer"],
                                            "password": "long-enough-1", "csrf_token": token})
    assert dup.status_code == 400
    assert client.get("/admin/users/999999").status_code == 404
