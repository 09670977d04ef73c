"""Served requests of each agency's service processes, and the monthly figures kept from them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigIntId, UTCDateTime, utcnow


class ServiceRecord(Base):
    """One served request: when it was received and completed, how it ended, by which channel, and
    its time in the SLA's own unit (office minutes or hours, or working days)."""

    __tablename__ = "service_record"
    __table_args__ = (
        UniqueConstraint("agency_id", "service_process", "reference", name="uq_service_record_reference"),
        Index("ix_service_record_month", "agency_id", "service_process", "month"),
    )
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service_process: Mapped[str] = mapped_column(String(255))
    reference: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the (local) month it was received in
    outcome: Mapped[str] = mapped_column(String(16))  # completed | rejected | withdrawn | pending
    channel: Mapped[str] = mapped_column(String(16))  # counter | online | mail | phone | other
    defects: Mapped[list] = mapped_column(JSON, default=list)
    elapsed: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)  # in ``unit``
    unit: Mapped[str] = mapped_column(String(16), default="")
    within_sla: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="import")  # import | counter | api
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceMonth(Base):
    """The figures of one service process in one month, kept up to date when records arrive, so
    dashboards never read the records themselves."""

    __tablename__ = "service_month"
    __table_args__ = (UniqueConstraint("agency_id", "service_process", "month", name="uq_service_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service_process: Mapped[str] = mapped_column(String(255))
    month: Mapped[date] = mapped_column(Date)
    volume: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    within_sla: Mapped[int] = mapped_column(Integer, default=0)
    measured: Mapped[int] = mapped_column(Integer, default=0)  # completed with a time against the SLA
    defects: Mapped[int] = mapped_column(Integer, default=0)
    median: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    p90: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    unit: Mapped[str] = mapped_column(String(16), default="")
    sla_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
