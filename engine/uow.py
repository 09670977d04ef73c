"""Unit of work: one Session and one transaction per use case; nothing is committed elsewhere."""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .db import WRITE_OPTION
from .errors import Conflict, Unavailable

_UNAVAILABLE = ("locked", "readonly", "read-only", "could not connect", "connection refused",
                "server closed the connection", "disk i/o error", "unable to open database")


def unavailable(exc: BaseException) -> Unavailable | None:
    """The typed error for a database that cannot serve now, or None for any other failure."""
    # SQLAlchemy's wrapper, or the driver's own (the SQLite BEGIN goes to the driver straight); never an
    # error of ours or a script's that merely mentions "read-only"
    driver_level = type(exc).__name__ in ("OperationalError", "ReadOnlySqlTransaction", "InterfaceError")
    if (isinstance(exc, DBAPIError) or driver_level) and any(m in str(exc).lower() for m in _UNAVAILABLE):
        return Unavailable("the database is busy or read-only; try again shortly")
    return None


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], write: bool = True):
        self._factory = session_factory
        self.write = write
        self.session: Session | None = None
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        try:
            if self.write:
                # SQLite: BEGIN IMMEDIATE takes the write lock now, so concurrent writers queue
                self.session.connection(execution_options={WRITE_OPTION: True})
        except Exception as exc:
            self.session.close()
            mapped = unavailable(exc)
            if mapped is not None:
                raise mapped from exc
            raise
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
        mapped = unavailable(exc) if exc is not None else None
        if mapped is not None:
            raise mapped from exc
        return False
