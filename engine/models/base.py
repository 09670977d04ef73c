"""Shared pieces of the models: aware UTC datetimes, big integer ids, the declarative base."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from ..clock import utcnow  # noqa: F401 - where the models' callers find it


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC datetimes on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; slaflow stores aware UTC datetimes only")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)

BigIntId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass
