"""The database role the application runs as on PostgreSQL, with no more rights than it needs.

Migrations run as the owner of the tables. The web workers and the scheduler connect as another role
that may read and write the application's tables but may only INSERT and SELECT audit events: it
cannot UPDATE, DELETE or TRUNCATE them, and, not being their owner, cannot disable the triggers that
guard them or drop the table. Run again after every migration (``init-db`` does so when
``SLAFLOW_DB_APP_ROLE`` is set), so that new tables are granted too.
"""
from __future__ import annotations

import re

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

APPEND_ONLY = ("audit_event",)
READ_ONLY = ("alembic_version",)
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(ValueError):
    pass


def grant_app_role(engine: Engine, role: str) -> list[str]:
    """Grant ``role`` what the application needs; returns the statements run."""
    if engine.dialect.name != "postgresql":
        raise RoleError("database roles apply to PostgreSQL only")
    if not _ROLE.match(role):
        raise RoleError("a role name is lower-case letters, digits and _ (at most 63)")
    tables = sorted(inspect(engine).get_table_names())
    statements = [f'GRANT USAGE ON SCHEMA public TO "{role}"']
    for table in tables:
        statements.append(f'REVOKE ALL ON TABLE "{table}" FROM "{role}"')
        if table in APPEND_ONLY:
            rights = "SELECT, INSERT"
        elif table in READ_ONLY:
            rights = "SELECT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f'GRANT {rights} ON TABLE "{table}" TO "{role}"')
    statements.append(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    with engine.begin() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if not exists:
            raise RoleError(f"role {role!r} does not exist (CREATE ROLE {role} LOGIN PASSWORD '…')")
        owner = conn.scalar(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event'"))
        if owner == role:
            raise RoleError(f"role {role!r} owns the tables; the application must run as another role")
        for statement in statements:
            conn.execute(text(statement))
    return statements
