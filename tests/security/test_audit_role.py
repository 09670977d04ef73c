"""On PostgreSQL the application runs as a role that may only read and append audit events: even with
its password an attacker cannot rewrite, delete, truncate or unguard the trail."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from engine import context as context_mod
from engine import migrate
from engine.db_roles import RoleError, grant_app_role
from engine.services import accounts
from tests.conftest import ADMIN, _postgres_database, _settings


@pytest.fixture
def pg(tmp_path):
    admin, name, url = _postgres_database()
    role = "slaflow_app_" + uuid.uuid4().hex[:8]
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
    yield url, role
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


def test_the_app_role_appends_and_reads_but_never_rewrites(pg, tmp_path):
    url, role = pg
    owner = context_mod.build(_settings(tmp_path, url))
    migrate.upgrade(owner.db)
    statements = grant_app_role(owner.db, role)
    assert any("audit_event" in s and "SELECT, INSERT" in s for s in statements)

    app_url = url.replace("//postgres@", f"//{role}@")
    app = context_mod.build(_settings(tmp_path, app_url))
    accounts.create_agency(app, ADMIN, "R1", "กรมทดสอบสิทธิ์")  # the app works, and audits, as its role
    with app.db.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM audit_event")) >= 1
    for attack in ("UPDATE audit_event SET comment = 'rewritten'", "DELETE FROM audit_event",
                   "TRUNCATE audit_event", "ALTER TABLE audit_event DISABLE TRIGGER ALL",
                   "DROP TABLE audit_event CASCADE", "DROP TRIGGER audit_event_append_only ON audit_event"):
        with app.db.connect() as conn, pytest.raises(DBAPIError) as caught:
            conn.execute(text(attack))
        assert "permission denied" in str(caught.value) or "must be owner" in str(caught.value), attack
    # even the owner cannot truncate (a trigger), and cannot rewrite without dropping the guards
    with owner.db.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("TRUNCATE audit_event"))
    app.close()
    owner.close()


def test_grants_are_refused_for_the_owner_or_an_unknown_role(pg, tmp_path):
    url, role = pg
    owner = context_mod.build(_settings(tmp_path, url))
    migrate.upgrade(owner.db)
    with pytest.raises(RoleError):
        grant_app_role(owner.db, "postgres")  # the tables' owner
    with pytest.raises(RoleError):
        grant_app_role(owner.db, "nobody_" + uuid.uuid4().hex[:6])
    with pytest.raises(RoleError):
        grant_app_role(owner.db, 'x"; DROP TABLE audit_event; --')
    sqlite = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(RoleError):
        grant_app_role(sqlite, role)
    owner.close()
