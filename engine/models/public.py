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


class Complaint(Base):
    """A complaint, suggestion or compliment about a service (seed 003 CS3), handled by its own
    workflow instance; the complainant follows it with a code, and may give contact details that
    only the agency's staff see and that are removed after the retention period."""

    __tablename__ = "citizen_complaint"
    __table_args__ = (
        UniqueConstraint("code", name="uq_complaint_code"),
        Index("ix_complaint_agency", "agency_id", "status", "received_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service_process: Mapped[str] = mapped_column(String(255), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))     # web | hotline | letter | walk_in | email | other
    # delay | staff | document | fee | process | corruption | suggestion | compliment | other
    category: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8), default="normal")  # low | normal | high | urgent
    subject: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default="received")  # received | assigned | answered | closed
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    improvement: Mapped[str] = mapped_column(Text, default="")  # the improvement action it led to
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    personal_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MailOut(Base):
    """An e-mail to someone who is not a user (a complainant's answer), sent by the scheduler from
    the outbox with retries, like users' notifications."""

    __tablename__ = "mail_out"
    __table_args__ = (Index("ix_mail_out_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
