"""Agencies, users and their roles."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class Agency(Base):
    __tablename__ = "agency"
    __table_args__ = (Index("ix_agency_parent", "parent_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    ministry: Mapped[str] = mapped_column(String(255), default="")
    province: Mapped[str] = mapped_column(String(128), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # office hours for working-hour arithmetic, local time "HH:MM"
    region: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # the organisation tree: a unit (division, provincial office, service point) under its department
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", name="fk_agency_parent"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="department", server_default="department")
    office_opens: Mapped[str] = mapped_column(String(5), default="08:30", server_default="08:30")
    office_closes: Mapped[str] = mapped_column(String(5), default="16:30", server_default="16:30")


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="th")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # a session carries the epoch it began in; raising it ends every session of the user
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # "person" logs in with a password; "service" is another system of the agency, with API tokens only
    kind: Mapped[str] = mapped_column(String(16), default="person", server_default="person")
    agency: Mapped[Agency | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class ApiToken(Base):
    """A token for the REST API: a person's own (acting as them) or a service account's. Only an HMAC of
    it is stored; it is shown once. ``scopes``: "read", "work", "records" (space-separated)."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))  # the token's first characters, to recognise it in lists
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
