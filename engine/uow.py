"""Unit of work: one Session and one transaction per use case; nothing is committed elsewhere."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .db import WRITE_OPTION
from .errors import Conflict


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], write: bool = True):
        self._factory = session_factory
        self.write = write
        self.session: Session | None = None
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        if self.write:
            # SQLite: BEGIN IMMEDIATE takes the write lock now, so concurrent writers queue
            self.session.connection(execution_options={WRITE_OPTION: True})
        return self

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise Conflict("someone else changed this record first; reload and try again") from exc
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict("the record already exists or conflicts with another one") from exc
        self._committed = True

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise Conflict("someone else changed this record first; reload and try again") from exc
        except IntegrityError as exc:
            raise Conflict("the record already exists or conflicts with another one") from exc

    def __exit__(self, exc_type, exc, tb):
        try:
            if not self._committed and self.write:
                self.session.rollback()
            # a read-only unit of work just closes: its loaded objects stay readable, detached
        finally:
            self.session.close()
        if isinstance(exc, StaleDataError):
            raise Conflict("someone else changed this record first; reload and try again") from exc
        if isinstance(exc, IntegrityError):
            raise Conflict("the record already exists or conflicts with another one") from exc
        if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
            raise Conflict("the database is busy with another change; try again") from exc
        return False
