"""Deadlines, incidents, the scheduler heartbeat and the calendars."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigIntId, UTCDateTime, utcnow


class Deadline(Base):
    """Something that happens at a time: a pending BPMN timer (copied from the workflow in the same
    transaction), or a reminder, SLA-clock warning or overdue escalation of a human task.

    ``spiff_task_id`` is the timer's task id, or for task deadlines a key like ``reminder:42:3``.
    """

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id", name="uq_deadline_timer"),
        Index("ix_deadline_due", "status", "due_at"),
        Index("ix_deadline_task", "task_id", "status", "due_at"),
        CheckConstraint("status IN ('pending', 'fired', 'cancelled', 'failed')", name="ck_deadline_status"),
    )
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(64))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="timer")  # timer | reminder | clock | overdue
    task_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    params: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    expression: Mapped[str] = mapped_column(Text, default="", server_default="")  # timers: to recompute
    basis_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # timers: when it was set
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # engine.statuses.DeadlineStatus
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class Incident(Base):
    """Something that needs an operator: a stalled instance, a failing handler or timer."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_open", "resolved_at", "instance_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SchedulerHeartbeat(Base):
    """The scheduler's health, written at every sweep."""

    __tablename__ = "scheduler_heartbeat"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_sweep_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fired: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class CalendarDay(Base):
    """An administrator's change to the working-day calendar: an extra holiday (special holiday,
    bridge day, closure) or a working day on what would be a holiday."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarRevision(Base):
    """One row whose token changes (by database trigger) with every change of ``calendar_day``: a process
    keeps the calendar in memory while the token stays the same."""

    __tablename__ = "calendar_revision"
    __table_args__ = (CheckConstraint("id = 1", name="ck_calendar_revision_one_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64))


class ReportingMilestone(Base):
    """A date of an evaluator's reporting calendar for a fiscal year, as the evaluator set it (the
    calendars and their default dates are declared by the workflow glue)."""

    __tablename__ = "reporting_milestone"
    __table_args__ = (UniqueConstraint("fiscal_year", "calendar", "code", name="uq_milestone_calendar"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    calendar: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(32))
    due_date: Mapped[date] = mapped_column(Date)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportingCalendarRule(Base):
    """Where a due date of a calendar goes when it falls on a non-working day, for a fiscal year
    (``previous`` or ``next`` working day, or ``none``), as the evaluator confirmed it."""

    __tablename__ = "reporting_calendar_rule"
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar: Mapped[str] = mapped_column(String(32), primary_key=True)
    shift: Mapped[str] = mapped_column(String(16))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecomputeJob(Base):
    """Moving pending due dates after a calendar change, as queued work for the scheduler.

    Queued in the transaction that changes the calendar, so a saved change always has its recompute.
    Resumable: ``cursor`` is the last instance handled, advanced in the same transaction as that
    instance's new due dates; a job whose scheduler died (``heartbeat_at`` stale) is taken up again
    from there. Recomputing is idempotent, so going over an instance twice moves nothing.
    """

    __tablename__ = "recompute_job"
    __table_args__ = (Index("ix_recompute_job_status", "status", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
