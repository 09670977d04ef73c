"""The audit trail and notifications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigIntId, UTCDateTime, utcnow


class AuditEvent(Base):
    """Append-only record of every state change (UPDATE/DELETE are refused by engine.audit)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_instance", "instance_id", "at"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), nullable=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), nullable=True)
    task_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    # the chain: HMAC of the previous event's hash and this event's content (engine.audit)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditChain(Base):
    """The head of the audit chain: the last event's id and hash. Its one row is locked by every append,
    so events chain in commit order on PostgreSQL too, and events removed at the end are noticed."""

    __tablename__ = "audit_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigIntId, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")


class Notification(Base):
    """A message for one user, shown in the app and e-mailed from an outbox with retries.

    The text is rendered from ``kind`` + ``params`` in the reader's language (engine.notifications).
    """

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user", "user_id", "read_at", "created_at"),
        Index("ix_notification_outbox", "email_status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), nullable=True)
    task_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")  # free text from a diagram's notify task
    params: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    email_status: Mapped[str] = mapped_column(String(16), default="pending",
                                              server_default="skipped")  # pending|sent|failed|skipped
    email_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    email_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginFailure(Base):
    """A failed login or wrong current password, by key (``u:<name>``, ``ip:<address>``, ``pw:<user id>``):
    counted in the database so every web worker sees the same limits."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key", "key", "at"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    key: Mapped[str] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
