"""Login, CSRF, rate limit, inbox and error mapping through the Flask app."""
from __future__ import annotations

from engine.services import instances
from tests.conftest import ADMIN, REVIEW
from tests.web.conftest import csrf_token, login


def test_login_page_is_thai_by_default_and_english_on_request(client):
    html = client.get("/login").get_data(as_text=True)
    assert "เข้าสู่ระบบ" in html and "ชื่อผู้ใช้" in html
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in html and "Username" in html


def test_inbox_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_shows_own_agency_tasks_only(client, world):
    instances.start(world.ctx, ADMIN, REVIEW, world.agency_a, "บริการของ ก", 2569)
    instances.start(world.ctx, ADMIN, REVIEW, world.agency_b, "บริการของ ข", 2569)
    response = login(client, "officer.a")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "บริการของ ก" in html and "บริการของ ข" not in html
    assert 'data-testid="task-count">1<' in html
    assert "2569" in html  # fiscal year, Buddhist Era


def test_wrong_password_and_unknown_user_look_the_same(client):
    a = login(client, "officer.a", "wrong-password")
    b = login(client, "nobody", "wrong-password")
    assert a.status_code == b.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in a.get_data(as_text=True)


def test_login_rate_limited(client):
    for _ in range(5):
        assert login(client, "officer.a", "wrong-password").status_code == 401
    blocked = login(client, "officer.a")  # even the right password is refused for a while
    assert blocked.status_code == 429


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "officer.a", "password": "password-123"})
    assert response.status_code == 400
    login(client, "officer.a")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_logout_and_open_redirect_guard(client):
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/", data={"username": "officer.a",
                                                                 "password": "password-123", "csrf_token": token})
    assert response.headers["Location"] == "/"
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_session_cookie_flags_and_security_headers(client):
    response = login(client, "officer.a")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_password_change(client):
    login(client, "officer.a")
    token = csrf_token(client, "/password")
    bad = client.post("/password", data={"old_password": "nope", "new_password": "new-password-1",
                                         "confirm": "new-password-1", "csrf_token": token})
    assert bad.status_code == 400
    ok = client.post("/password", data={"old_password": "password-123", "new_password": "new-password-1",
                                        "confirm": "new-password-1", "csrf_token": token})
    assert ok.status_code == 302
    token = csrf_token(client, "/")
    client.post("/logout", data={"csrf_token": token})
    assert login(client, "officer.a", "new-password-1").status_code == 302


def test_unknown_url_is_a_thai_404_page(client):
    login(client, "officer.a")
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "ไม่พบข้อมูลที่ต้องการ" in response.get_data(as_text=True)


def test_engine_errors_map_to_http():
    from engine import errors as e
    from web.errors import status_for

    assert status_for(e.NotFound()) == 404
    assert status_for(e.Forbidden()) == 403
    assert status_for(e.Conflict()) == 409
    assert status_for(e.FormInvalid({})) == 422
    assert status_for(e.BpmnInvalid([])) == 422
    assert status_for(e.InvalidInput()) == 400


def test_inbox_filters_and_urgency_marks(client, world):
    from datetime import timedelta

    from sqlalchemy import update

    from engine.models import HumanTask, utcnow

    ids = [instances.start(world.ctx, ADMIN, REVIEW, world.agency_a, name, 2569) for name in ("ภาษีรถ", "ใบขับขี่")]
    with world.ctx.db.begin() as conn:
        conn.execute(update(HumanTask).where(HumanTask.instance_id == ids[0])
                     .values(due_at=utcnow() - timedelta(days=3)))
    login(client, "officer.a")
    html = client.get("/").get_data(as_text=True)
    assert "เลยกำหนด" in html and 'data-testid="nav-task-count">2<' in html
    html = client.get("/?q=ใบขับขี่").get_data(as_text=True)
    assert "ใบขับขี่" in html and 'data-testid="task-count">1<' in html
    html = client.get("/?overdue=1&sort=name&scope=all&fy=abc&page=-3").get_data(as_text=True)
    assert 'data-testid="task-count">1<' in html and "ภาษีรถ" in html


def test_notifications_page_and_mark_read(client, world):
    instances.start(world.ctx, ADMIN, REVIEW, world.agency_a, "ภาษีรถ", 2569)
    login(client, "officer.a")
    html = client.get("/notifications").get_data(as_text=True)
    assert "มีงานใหม่" in html and 'data-testid="nav-notice-count">1<' in html
    token = csrf_token(client, "/notifications")
    assert client.post("/notifications/read", data={"csrf_token": token}).status_code == 302
    assert 'data-testid="nav-notice-count">0<' in client.get("/notifications").get_data(as_text=True)


def test_page_titles_are_plain_text(client, world):
    import re

    login(client, "officer.a")
    for path in ("/", "/dashboard", "/notifications", "/password"):
        title = re.search(r"<title>(.*?)</title>", client.get(path).get_data(as_text=True), re.S).group(1)
        assert "<" not in title and len(title) < 200, path
