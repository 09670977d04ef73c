"""The audit trail proves itself: every event is chained to the one before with a keyed hash, and
``slaflow audit verify`` names any event rewritten (SQLite's INSERT OR REPLACE did it), inserted or
removed, in the middle or at the end."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import select

from engine import audit
from engine.config import REPO_ROOT
from engine.context import audit_key
from engine.models import AuditEvent
from engine.services import accounts
from tests.conftest import ADMIN


@pytest.fixture
def trail(world):
    for i in range(5):
        accounts.create_agency(world.ctx, ADMIN, f"T{i}", f"หน่วยงานทดสอบ {i}")
    with world.ctx.uow(write=False) as uow:
        ids = list(uow.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    db = sqlite3.connect(world.ctx.settings.database_url.split("///", 1)[1], isolation_level=None)
    yield world, ids, db
    db.close()


def _verify(world):
    with world.ctx.uow(write=False) as uow:
        return audit.verify(uow.session, audit_key(world.ctx.settings))


def _cli(world):
    env = dict(os.environ, SLAFLOW_INSTANCE_DIR=str(world.ctx.settings.instance_dir),
               SLAFLOW_DATABASE_URL=world.ctx.settings.database_url, SLAFLOW_SECRET_KEY="test-secret",
               SLAFLOW_LANGUAGE="en")
    return subprocess.run([sys.executable, "-m", "web.cli", "audit", "verify"], capture_output=True, text=True,
                          env=env, cwd=REPO_ROOT, timeout=120)


def test_an_untouched_trail_verifies(trail):
    world, ids, _ = trail
    result = _verify(world)
    assert result.intact and result.checked == len(ids) > 20
    done = _cli(world)
    assert done.returncode == 0 and "intact" in done.stdout


def test_a_rewritten_event_is_named(trail):
    world, ids, db = trail
    victim = ids[len(ids) // 2]
    row = db.execute("SELECT * FROM audit_event WHERE id = ?", (victim,)).fetchone()
    columns = [c[1] for c in db.execute("PRAGMA table_info(audit_event)")]
    forged = dict(zip(columns, row, strict=True))
    forged["comment"] = "ไม่มีอะไรเกิดขึ้น"
    marks = ",".join("?" * len(columns))
    db.execute(f"INSERT OR REPLACE INTO audit_event ({','.join(columns)}) VALUES ({marks})",
               [forged[c] for c in columns])  # the triggers do not stop REPLACE
    result = _verify(world)
    assert (victim, "the event was rewritten after it was recorded") in result.problems
    done = _cli(world)
    assert done.returncode == 1 and f"event {victim}" in done.stderr


def test_removed_and_inserted_events_are_named(trail):
    world, ids, db = trail
    db.execute("DROP TRIGGER audit_event_no_delete")  # the database owner can do this
    db.execute("DELETE FROM audit_event WHERE id = ?", (ids[10],))
    result = _verify(world)
    assert result.problems[0] == (ids[11], "the event before this one was removed, or this one inserted")
    db.execute("DELETE FROM audit_event WHERE id >= ?", (ids[-2],))  # and the last two
    assert (ids[-1], "events were removed from the end of the chain") in _verify(world).problems
    db.execute("INSERT INTO audit_event (at, action, comment, prev_hash, hash) VALUES "
               "('2026-11-01 00:00:00.000000', 'user.create', '', '', ?)", ("0" * 64,))
    assert any("rewritten" in p or "inserted" in p for _, p in _verify(world).problems)


def test_events_from_before_the_chain_are_counted_not_flagged(trail):
    world, ids, db = trail
    # a database upgraded from before the chain: its events have no seal and the head has not moved yet
    db.execute("DROP TRIGGER audit_event_no_update")
    db.execute("UPDATE audit_event SET prev_hash = NULL, hash = NULL")
    db.execute("UPDATE audit_chain SET last_event_id = 0, last_hash = ''")
    result = _verify(world)
    assert result.intact and result.before_chain == len(ids) and result.checked == 0
    accounts.create_agency(world.ctx, ADMIN, "T9", "หน่วยงานหลังเริ่มห่วงโซ่")  # the chain begins here
    result = _verify(world)
    assert result.intact and result.checked >= 1
