"""Sessions end when they should: logging out ends the user's sessions everywhere, a password change
ends the others, an administrator can end anyone's, and sessions end after 30 idle minutes and 8 hours
in all. Guessing the current password on the change form is limited like logins."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from engine.models import AuditEvent
from tests.web.conftest import csrf_token, login

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


def _in(client) -> bool:
    r = client.get("/")
    assert r.status_code in (200, 302)
    return r.status_code == 200


def _logout(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def _change_password(client, old, new):
    return client.post("/password", data={"csrf_token": csrf_token(client, "/password"), "old_password": old,
                                          "new_password": new, "confirm": new})


def test_logout_ends_the_users_sessions_on_every_device(app):
    laptop, phone, other = app.test_client(), app.test_client(), app.test_client()
    login(laptop, "officer.a")
    login(phone, "officer.a")
    login(other, "officer.b")
    old_cookie = phone.get_cookie("session").value
    assert _in(laptop) and _in(phone)
    assert _logout(laptop).status_code == 302
    assert not _in(laptop) and not _in(phone)
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert not _in(replay)  # an old cookie copied elsewhere is dead too
    assert _in(other)  # other users are untouched


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, world):
    here, there = app.test_client(), app.test_client()
    login(here, "officer.a")
    login(there, "officer.a")
    assert _change_password(here, "password-123", "new-password-456").status_code == 302
    assert _in(here) and not _in(there)
    with world.ctx.uow(write=False) as uow:
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password"))
        assert event.after["username"] == "officer.a"


def test_an_administrator_ends_a_users_sessions(app, world):
    officer, admin = app.test_client(), app.test_client()
    login(officer, "officer.a")
    login(admin, "admin")
    uid = world.actor("officer.a").user_id
    page = admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert 'data-testid="end-sessions"' in page
    r = admin.post(f"/admin/users/{uid}/sessions/end", data={"csrf_token": csrf_token(admin, f"/admin/users/{uid}")})
    assert r.status_code == 302 and not _in(officer) and _in(admin)
    with world.ctx.uow(write=False) as uow:
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.sessions_end"))
        assert event.after["username"] == "officer.a" and event.actor_id == world.actor("admin").user_id
    stranger = app.test_client()
    login(stranger, "officer.b")
    r = stranger.post(f"/admin/users/{uid}/sessions/end", data={"csrf_token": csrf_token(stranger, "/")})
    assert r.status_code == 403


def test_idle_and_absolute_timeouts(app):
    client = app.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "officer.a")
        clock.shift(timedelta(minutes=29))
        assert _in(client)
        clock.shift(timedelta(minutes=31))  # 31 idle minutes
        assert not _in(client)
        login(client, "officer.a")
        for _ in range(23):  # busy all day: a request every 20 minutes for 7 h 40 min
            clock.shift(timedelta(minutes=20))
            assert _in(client)
        clock.shift(timedelta(minutes=21))  # 8 h 1 min after login
        assert not _in(client)


def test_guessing_the_current_password_is_limited(app):
    client = app.test_client()
    login(client, "officer.a")
    codes = [_change_password(client, f"guess-{i}", "new-password-456").status_code for i in range(6)]
    assert codes == [400] * 5 + [429]
    assert _change_password(client, "password-123", "new-password-456").status_code == 429  # even the right one


def test_failed_logins_and_logouts_are_in_the_audit_trail(app, world):
    client = app.test_client()
    token = csrf_token(client)
    r = client.post("/login", data={"username": "officer.a", "password": "wrong-password", "csrf_token": token})
    assert r.status_code == 401
    client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token})
    login(client, "officer.a")
    _logout(client)
    with world.ctx.uow(write=False) as uow:
        failed = [e.after for e in uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed"))]
        assert [(f["username"], f["reason"]) for f in failed] == [("officer.a", "wrong password"),
                                                                 ("nobody", "unknown user")]
        assert "wrong-password" not in str(failed)  # the password tried is never stored
        ended = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.sessions_end"))
        assert ended.after["reason"] == "logout"
        empty = uow.session.scalar(select(AuditEvent).where((AuditEvent.after == {}) | (AuditEvent.before == {})))
        assert empty is None  # no event with an empty before or after


def test_login_limits_are_shared_by_workers_and_per_user_name(world):
    from web import create_app

    first, second = create_app(ctx=world.ctx), create_app(ctx=world.ctx)  # two web workers, one database
    office = {"REMOTE_ADDR": "10.1.1.1"}  # everybody at one office comes from one address
    for attempt in range(5):
        client = (first if attempt % 2 else second).test_client()
        token = csrf_token(client)
        r = client.post("/login", data={"username": "officer.a", "password": "wrong", "csrf_token": token},
                        environ_base=office)
        assert r.status_code == 401
    for app in (first, second):
        client = app.test_client()
        r = client.post("/login", data={"username": "officer.a", "password": "password-123",
                                        "csrf_token": csrf_token(client)}, environ_base=office)
        assert r.status_code == 429  # blocked on every worker
    colleague = second.test_client()
    r = colleague.post("/login", data={"username": "officer.a2", "password": "password-123",
                                       "csrf_token": csrf_token(colleague)}, environ_base=office)
    assert r.status_code == 302  # a colleague at the same address is not locked out


def test_the_address_behind_a_trusted_proxy(world):
    from dataclasses import replace

    from web import create_app

    app = create_app(ctx=replace(world.ctx, settings=world.ctx.settings.replace(trusted_proxies=1)))
    client = app.test_client()
    r = client.post("/login", data={"username": "officer.a", "password": "password-123",
                                    "csrf_token": csrf_token(client)},
                    headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert r.status_code == 302
    with world.ctx.uow(write=False) as uow:
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "login").order_by(AuditEvent.id.desc()))
        assert event.after["address"] == "203.0.113.9"


def test_public_submissions_are_limited_per_address_across_workers(world, tmp_path):
    """Survey answers and complaints per address are counted in the database: a second web worker (a
    second engine on the same database) sees the first one's count; the window passes for everybody."""
    from datetime import timedelta

    from engine import context as context_mod
    from engine.models import utcnow
    from engine.services import rate_limits

    other_worker = context_mod.build(world.ctx.settings)
    now = utcnow()
    allowed = [rate_limits.take(ctx, "203.0.113.7", 3, 600, now=now)
               for ctx in (world.ctx, other_worker, world.ctx, other_worker)]
    assert allowed == [True, True, True, False]
    assert rate_limits.take(world.ctx, "203.0.113.8", 3, 600, now=now)  # another address is not affected
    assert rate_limits.take(other_worker, "203.0.113.7", 3, 600, now=now + timedelta(seconds=601))
    # logins' pruning never forgets public counts, nor the other way round
    rate_limits.fail(world.ctx, ["user:someone"], 60, now=now + timedelta(seconds=601))
    assert not rate_limits.take(world.ctx, "203.0.113.7", 1, 600, now=now + timedelta(seconds=602))
    other_worker.close()
