"""What the public sees and answers: published SLAs (a version per publication) and the
satisfaction surveys with their anonymous responses."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigIntId, UTCDateTime, utcnow


class PublicSla(Base):
    """A service process's SLA as the public reads it, at a stable address per agency and service
    (``/public/<agency code>/<slug>``); it shows its current version until withdrawn."""

    __tablename__ = "public_sla"
    __table_args__ = (
        UniqueConstraint("agency_id", "slug", name="uq_public_sla_slug"),
        Index("ix_public_sla_listed", "status", "service_process"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service_process: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="published")  # published | withdrawn
    current_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # what the directory searches and shows, copied from the current version
    title: Mapped[str] = mapped_column(String(500), default="")
    promised_time: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublicSlaVersion(Base):
    """One approved publication of an SLA (a fiscal year's, or its replacement)."""

    __tablename__ = "public_sla_version"
    __table_args__ = (UniqueConstraint("public_sla_id", "version", name="uq_public_sla_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_sla_id: Mapped[int] = mapped_column(ForeignKey("public_sla.id"))
    version: Mapped[int] = mapped_column(Integer)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), nullable=True)
    content: Mapped[dict] = mapped_column(JSON)  # scope, requirements, levels, steps, complaints, manual
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)


class Survey(Base):
    """A satisfaction survey the evaluator designs for a fiscal year and opens for a period."""

    __tablename__ = "survey"
    __table_args__ = (Index("ix_survey_year", "fiscal_year", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    definition: Mapped[dict] = mapped_column(JSON)  # questions and customer groups
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | open | closed
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyResponse(Base):
    """One citizen's anonymous answers about one published SLA's service."""

    __tablename__ = "survey_response"
    __table_args__ = (
        # one response per device per service per day
        UniqueConstraint("survey_id", "public_sla_id", "device", "day", name="uq_survey_response_device_day"),
        Index("ix_survey_response_service", "public_sla_id", "survey_id", "day"),
    )
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    public_sla_id: Mapped[int] = mapped_column(ForeignKey("public_sla.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    customer_group: Mapped[str] = mapped_column(String(64), default="")
    answers: Mapped[dict] = mapped_column(JSON)
    mean_rating: Mapped[Decimal | None] = mapped_column(Numeric(5, 4), nullable=True)
    has_text: Mapped[bool] = mapped_column(Boolean, default=False)
    device: Mapped[str] = mapped_column(String(64))  # a keyed hash, never the address itself
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")
