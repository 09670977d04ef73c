"""KPI schemes, corrections and computed scores."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class KpiScheme(Base):
    """A KPI scheme file as uploaded (versioned per code); the shipped ones are loaded at start."""

    __tablename__ = "kpi_scheme"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_kpi_scheme_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScoreCorrection(Base):
    """The central office's correction of a result that feeds scoring (latest one wins), with its reason."""

    __tablename__ = "score_correction"
    __table_args__ = (Index("ix_score_correction_instance", "instance_id", "indicator"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    indicator: Mapped[str] = mapped_column(String(64))
    value: Mapped[dict] = mapped_column(JSON)  # {"value": ...} so any JSON value fits
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiScore(Base):
    """An agency's computed score under a scheme for a fiscal year, with the working."""

    __tablename__ = "kpi_score"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "agency_id", "scheme_code", name="uq_kpi_score"),
        Index("ix_kpi_score_year", "fiscal_year", "score"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    scheme_code: Mapped[str] = mapped_column(String(64))
    scheme_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    details: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
