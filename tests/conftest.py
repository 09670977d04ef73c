"""Shared fixtures: a real database per test (SQLite file, or a fresh PostgreSQL database)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine import context as context_mod
from engine import migrate
from engine.actors import Actor
from engine.config import Settings
from engine.services import accounts, deploy

REVIEW_BPMN = Path(__file__).resolve().parent / "data" / "review_cycle.bpmn"
REVIEW = "review_cycle"  # a small process (select, stage 1, review loop) for engine tests
# Argon2id with the cheapest parameters: the suite creates many users; production keeps the defaults
from argon2 import PasswordHasher  # noqa: E402

import engine.passwords  # noqa: E402

engine.passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# the shipped glue (profiles, reporting calendars) is registered as when the engine is built
context_mod.load_glue("workflows.handlers")

PG_URL = os.environ.get("SLAFLOW_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/bench" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.bench)


def _settings(tmp_path: Path, url: str | None = None) -> Settings:
    env = {"SLAFLOW_INSTANCE_DIR": str(tmp_path / "instance"), "SLAFLOW_SECRET_KEY": "test-secret"}
    if url:
        env["SLAFLOW_DATABASE_URL"] = url
    return Settings.from_env(env)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return _settings(tmp_path)


def _postgres_database():
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but no PostgreSQL server: SLAFLOW_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (SLAFLOW_TEST_POSTGRES_URL)")
    name = "slaflow_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]
    return admin, name, f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path):
    """A database URL on each backend: the test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    admin, name, url = _postgres_database()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def make_ctx(tmp_path: Path, url: str | None = None) -> context_mod.Context:
    """A context on a new, migrated database (migrations run here: for tests of set-up itself and
    benchmarks; the fixtures below copy a template instead)."""
    ctx = context_mod.build(_settings(tmp_path, url))
    migrate.upgrade(ctx.db)
    return ctx


# -- templates: migrate once per test session, copy per test ---------------------------------------
# Each test gets its own database, copied from a template migrated once per session (per worker):
# a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL. The "world" template also holds
# the World below (agencies, users, the review cycle deployed), so a test asking for ``world`` starts
# with it already there; its Python side (ids, actors) is restored from a snapshot.

class _Templates:
    def __init__(self, factory):
        self.factory = factory
        self.sqlite: dict[str, Path] = {}
        self.postgres: dict[str, str] = {}
        self.snapshots: dict[str, dict] = {}

    def _fill(self, ctx, kind: str) -> None:
        migrate.upgrade(ctx.db)
        if kind == "world":
            self.snapshots.setdefault(kind, World(ctx).snapshot())

    def sqlite_file(self, kind: str) -> Path:
        if kind not in self.sqlite:
            folder = self.factory.mktemp(f"template-{kind}")
            ctx = context_mod.build(_settings(folder))
            self._fill(ctx, kind)
            with ctx.db.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            ctx.close()
            self.sqlite[kind] = folder / "instance" / "slaflow.sqlite3"
        return self.sqlite[kind]

    def postgres_name(self, kind: str) -> str:
        if kind not in self.postgres:
            admin, name, url = _postgres_database()
            ctx = context_mod.build(_settings(self.factory.mktemp(f"pg-template-{kind}"), url))
            self._fill(ctx, kind)
            ctx.close()
            admin.dispose()
            self.postgres[kind] = name
        return self.postgres[kind]

    def drop_postgres(self) -> None:
        if not self.postgres:
            return
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.postgres.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    templates = _Templates(tmp_path_factory)
    yield templates
    templates.drop_postgres()


def _kind(request) -> str:
    return "world" if {"world", "any_world"} & set(request.fixturenames) else "empty"


def _copied_sqlite(templates: _Templates, tmp_path: Path, kind: str) -> context_mod.Context:
    import shutil

    target = tmp_path / "instance" / "slaflow.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(templates.sqlite_file(kind), target)
    return context_mod.build(_settings(tmp_path))


@pytest.fixture
def ctx(tmp_path, request, _templates):
    """Engine context on a migrated SQLite file database (copied from the session's template)."""
    c = _copied_sqlite(_templates, tmp_path, _kind(request))
    yield c
    c.close()


@pytest.fixture
def any_ctx(tmp_path, any_db_url, request, _templates):
    """Engine context on SQLite and on PostgreSQL."""
    kind = _kind(request)
    if any_db_url.startswith("sqlite"):
        c = _copied_sqlite(_templates, tmp_path, kind)
    else:
        template = _templates.postgres_name(kind)
        name = any_db_url.rsplit("/", 1)[1]
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        c = context_mod.build(_settings(tmp_path, any_db_url))
    yield c
    c.close()


ADMIN = Actor.system("test")
DESIGNER = Actor(None, "designer", None, frozenset({"designer"}))


class World:
    """Two departments with an officer and a supervisor each (A also its head and its department
    evaluator), a unit under each, a central officer, the review cycle deployed."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.agency_a = accounts.create_agency(ctx, ADMIN, "A", "กรมทดสอบ ก")
        self.agency_b = accounts.create_agency(ctx, ADMIN, "B", "กรมทดสอบ ข")
        # a unit of department A (a provincial office), and one of department B
        self.unit_a = accounts.create_agency(ctx, ADMIN, "A-1", "สำนักงานจังหวัดทดสอบ ก", parent_id=self.agency_a,
                                             kind="unit")
        self.unit_b = accounts.create_agency(ctx, ADMIN, "B-1", "สำนักงานจังหวัดทดสอบ ข", parent_id=self.agency_b,
                                             kind="unit")
        self.users = {}
        for name, roles, agency in [
            ("officer.a", ["officer"], self.agency_a), ("supervisor.a", ["supervisor"], self.agency_a),
            ("officer.a2", ["officer"], self.agency_a), ("head.a", ["head"], self.agency_a),
            ("officer.b", ["officer"], self.agency_b), ("supervisor.b", ["supervisor"], self.agency_b),
            ("evaluator.a", ["evaluator"], self.agency_a), ("officer.u", ["officer"], self.unit_a),
            ("supervisor.u", ["supervisor"], self.unit_a), ("officer.ub", ["officer"], self.unit_b),
            ("supervisor.ub", ["supervisor"], self.unit_b),
            ("central", ["central"], None), ("designer", ["designer"], None), ("admin", ["admin"], None),
        ]:
            accounts.create_user(ctx, ADMIN, name, "password-123", name, roles, agency, email=f"{name}@example.go.th")
            self.users[name] = accounts.authenticate(ctx, name, "password-123")
        self.deployed = deploy.deploy(ctx, {"review_cycle.bpmn": REVIEW_BPMN.read_bytes()}, DESIGNER)

    def actor(self, name: str) -> Actor:
        return self.users[name]

    def snapshot(self) -> dict:
        return {k: v for k, v in vars(self).items() if k != "ctx"}

    @classmethod
    def restored(cls, ctx, snapshot: dict) -> World:
        """The World of a database copied from the world template."""
        world = cls.__new__(cls)
        world.__dict__.update(snapshot)
        world.users = dict(snapshot["users"])
        world.ctx = ctx
        return world


@pytest.fixture
def world(ctx, _templates) -> World:
    return World.restored(ctx, _templates.snapshots["world"])


@pytest.fixture
def any_world(any_ctx, _templates) -> World:
    return World.restored(any_ctx, _templates.snapshots["world"])


SELECT_OK = {"process_name": "การชำระภาษีรถประจำปี", "criteria": ["public_service"],
             "current_state": "ผู้รับบริการต้องรอนานและไม่ทราบขั้นตอน"}
STAGE1_OK = {
    "problems": [{"problem": "รอคิวนาน", "expectation": "ได้รับบริการภายใน 15 นาที"}],
    "capability": "มีเจ้าหน้าที่ 10 คน และระบบคิวออนไลน์",
    "analysis": {"time": "ใช้เวลา 2 ชั่วโมง", "steps": "7 ขั้นตอน", "quality": "เอกสารผิดบ่อย",
                 "channels": "ติดต่อได้ที่สำนักงานเท่านั้น", "transparency": "ไม่ทราบสถานะ", "cost": "ไม่มีค่าธรรมเนียม"},
    "approach": {"process": "ลดขั้นตอน", "system": "ชำระออนไลน์", "staff": "อบรมเจ้าหน้าที่"},
    "targets": {"time_value": 15, "time_unit": "minutes", "satisfaction_percent": 85},
}
