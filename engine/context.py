"""The engine's wiring for one process: settings, database, runtime, registered workflow glue.

Nothing is built at import time; ``build(settings)`` is called by the CLI, the web app factory,
the scheduler and the tests.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .bpmn.lint import LintContext
from .config import Settings
from .db import make_engine, make_session_factory
from .glue import glue, load_demo, load_glue  # noqa: F401 - where callers find them
from .runtime import Runtime
from .script_host import default_host
from .uow import UnitOfWork


@dataclass
class Context:
    settings: Settings
    db: Engine
    sessions: sessionmaker[Session]
    runtime: Runtime
    handlers: dict[str, Callable] = field(default_factory=dict)
    helpers: dict[str, Callable] = field(default_factory=dict)

    def uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.sessions, write=write)

    def lint_context(self) -> LintContext:
        return LintContext(forms_dir=self.settings.forms_dir, handler_names=tuple(self.handlers),
                           timer_helpers=self.helpers)

    def close(self) -> None:
        self.db.dispose()


def audit_key(settings: Settings) -> bytes:
    """The key that seals the audit chain, derived from the secret key (never stored in the database)."""
    import hashlib

    return hashlib.sha256(b"slaflow-audit-chain\n" + (settings.secret_key or "").encode()).digest()


def build(settings: Settings | None = None, **engine_kwargs) -> Context:
    settings = settings or Settings.from_env()
    handlers, helpers = load_glue(settings.handlers_module)
    engine_kwargs.setdefault("busy_ms", settings.sqlite_busy_ms)
    db = make_engine(settings.database_url, **engine_kwargs)
    default_host().memory_mb = settings.script_memory_mb
    return Context(settings=settings, db=db, sessions=make_session_factory(db, audit_key(settings)),
                   runtime=Runtime(handlers, helpers, settings.script_timeout), handlers=handlers, helpers=helpers)
