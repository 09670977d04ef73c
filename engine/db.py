"""Database engine and session factory (SQLite in WAL mode by default, PostgreSQL in production)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

#: execution option set by a writing unit of work: on SQLite it takes the write lock at BEGIN,
#: so two writers queue instead of failing half-way with "database is locked".
WRITE_OPTION = "slaflow_write"


def locked_at_begin(session: Session) -> bool:
    """Whether a writing unit of work holds the database's write lock from its first statement
    (SQLite's BEGIN IMMEDIATE): everything it reads is then the latest. Elsewhere a row is locked
    by the statement that reads it, and rows of other tables read by that same statement may be
    older than the lock (PostgreSQL, READ COMMITTED)."""
    return session.get_bind().dialect.name == "sqlite"


def make_engine(url: str, busy_ms: int = 30000, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_ms=busy_ms, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, **kwargs) -> Engine:
    database = url.split("///", 1)[-1] if "///" in url else ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = kwargs.pop("connect_args", {})
    busy_ms = int(kwargs.pop("busy_ms", 30000))  # how long a writer waits for the lock before a 503
    connect_args.setdefault("timeout", busy_ms / 1000)
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # let SQLAlchemy emit BEGIN itself (pysqlite's own handling is off)
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # straight to the driver: a bare BEGIN needs nothing of the statement machinery
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_session_factory(engine: Engine, audit_key: bytes = b"") -> sessionmaker[Session]:
    """Sessions for units of work; ``audit_key`` seals the audit chain (engine.audit)."""
    return sessionmaker(bind=engine, expire_on_commit=False, future=True, info={"audit_key": audit_key})
