"""A locked database answers "temporarily unavailable" (503, Retry-After, in Thai), saves nothing, and
still serves reads; it never answers 500."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine import context as context_mod
from engine import migrate
from engine.models import HumanTask
from tests.conftest import World, _settings
from tests.published import publish_car_tax
from tests.web.conftest import csrf_token, login
from web import create_app

NOW = datetime(2026, 11, 2, 3, tzinfo=timezone.utc)


@pytest.fixture
def impatient(tmp_path):
    """A world whose SQLite writers wait 200 ms for the lock (30 s by default)."""
    ctx = context_mod.build(_settings(tmp_path).replace(sqlite_busy_ms=200))
    migrate.upgrade(ctx.db)
    world = World(ctx)
    publish_car_tax(world, NOW)
    yield world, create_app(ctx=ctx)
    ctx.close()


def test_writes_meet_a_503_and_reads_go_on(impatient):
    world, app = impatient
    with world.ctx.uow(write=False) as uow:
        task = uow.session.scalar(select(HumanTask.id).where(HumanTask.status != "completed"))
    client = app.test_client()
    login(client, "officer.a")
    token = csrf_token(client, f"/tasks/{task}")
    path = world.ctx.settings.database_url.split("///", 1)[1]
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock (a migration, a backup)
    try:
        r = client.post(f"/tasks/{task}/draft", json={"data": {"note": "x"}}, headers={"X-CSRFToken": token})
        assert r.status_code == 503 and r.headers["Retry-After"] == "30"
        assert r.get_json()["error"] == "ระบบไม่พร้อมให้บริการชั่วคราว"  # in Thai, the user's language
        page = client.post("/password", data={"csrf_token": token, "old_password": "password-123",
                                              "new_password": "new-password-456", "confirm": "new-password-456"})
        assert page.status_code == 503 and "ไม่พร้อมให้บริการชั่วคราว" in page.get_data(as_text=True)
        assert client.get("/").status_code == 200  # reading goes on while the lock is held
        assert client.get(f"/tasks/{task}").status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with world.ctx.uow(write=False) as uow:
        assert uow.session.get(HumanTask, task).draft in (None, {})
    r = client.post(f"/tasks/{task}/draft", json={"data": {"note": "x"}}, headers={"X-CSRFToken": token})
    assert r.status_code == 200  # and writes work again once the lock is gone


def test_only_database_errors_become_503():
    from sqlalchemy.exc import OperationalError

    from engine.errors import ScriptError
    from engine.uow import unavailable

    assert unavailable(OperationalError("BEGIN", {}, Exception("database is locked"))) is not None
    assert unavailable(ScriptError("'total' is read-only in this script")) is None
    assert unavailable(ValueError("attempt to write a readonly database")) is None
