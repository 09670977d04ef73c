"""Typed SQLAlchemy 2.x models. The schema is created by Alembic migrations (engine/migrations)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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


ROLES = ("officer", "supervisor", "designer", "central", "admin")


class Agency(Base):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    ministry: Mapped[str] = mapped_column(String(255), default="")
    province: Mapped[str] = mapped_column(String(128), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # office hours for working-hour arithmetic, local time "HH:MM"
    region: Mapped[str] = mapped_column(String(64), default="", server_default="")
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


class ProcessDefinition(Base):
    """A BPMN process known by its process id; it has one or more deployed versions."""

    __tablename__ = "process_definition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    latest_version: Mapped[int] = mapped_column(Integer, default=0)


class ProcessVersion(Base):
    """One deployed version: its sources, its parsed spec (stored once) and its forms."""

    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("definition_id", "version", name="uq_process_version_number"),
        UniqueConstraint("definition_id", "content_hash", name="uq_process_version_hash"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    # large columns are deferred: the runtime caches what it needs per version
    sources: Mapped[dict] = mapped_column(JSON, deferred=True)  # filename -> BPMN XML text
    forms: Mapped[dict] = mapped_column(JSON, deferred=True)  # form reference -> JSON Schema
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)  # serialized spec + subprocess specs
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[ProcessDefinition] = relationship()


INSTANCE_STATUSES = ("running", "completed", "cancelled", "stalled", "error")


class Instance(Base):
    """One running workflow: one per agency, service process and fiscal year."""

    __tablename__ = "instance"
    __table_args__ = (
        UniqueConstraint(
            "definition_id", "agency_id", "service_process", "fiscal_year", name="uq_instance_per_year"
        ),
        Index("ix_instance_agency_status", "agency_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service_process: Mapped[str] = mapped_column(String(255))
    fiscal_year: Mapped[int] = mapped_column(Integer)  # Buddhist Era, e.g. 2569
    status: Mapped[str] = mapped_column(String(16), default="running")
    state: Mapped[str] = mapped_column(Text)  # SpiffWorkflow serialization without the spec
    # the top-level elements reached: {bpmn id: "done" | "current"}, for dashboards at national scale
    progress: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[ProcessVersion] = relationship()  # loaded when a cache by version_id misses
    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": row_version}


TASK_STATUSES = ("open", "completed", "cancelled")


class HumanTask(Base):
    """A user task materialized at every save, so task lists never deserialize workflows."""

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id", name="uq_human_task_spiff"),
        Index("ix_human_task_pool", "agency_id", "role", "status", "due_at"),
        # partial: only claimed tasks, so the planner's statistics are not drowned by the unclaimed ones
        Index("ix_human_task_claimed", "assignee_id", "status", "due_at",
              sqlite_where=text("assignee_id IS NOT NULL"), postgresql_where=text("assignee_id IS NOT NULL")),
        Index("ix_human_task_instance", "instance_id", "status"),
    )
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(32))
    form: Mapped[str] = mapped_column(String(255), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    draft: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    days_late: Mapped[int | None] = mapped_column(Integer, nullable=True)  # calendar days, when done late
    working_days_late: Mapped[int | None] = mapped_column(Integer, nullable=True)
    instance: Mapped[Instance] = relationship(lazy="raise")


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


DEADLINE_STATUSES = ("pending", "fired", "cancelled", "failed")


DEADLINE_KINDS = ("timer", "reminder", "clock", "overdue")


class Deadline(Base):
    """Something that happens at a time: a pending BPMN timer (copied from the workflow in the same
    transaction), or a reminder, SLA-clock warning or overdue escalation of a human task.

    ``spiff_task_id`` is the timer's task id, or for task deadlines a key like ``reminder:42:3``.
    """

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id", name="uq_deadline_timer"),
        Index("ix_deadline_due", "status", "due_at"),
        Index("ix_deadline_task", "task_id", "status"),
    )
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(64))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="timer")
    task_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    params: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    expression: Mapped[str] = mapped_column(Text, default="", server_default="")  # timers: to recompute
    basis_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # timers: when it was set
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
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


class Submission(Base):
    """The full data a user submitted for a task (the workflow keeps only the small fields)."""

    __tablename__ = "submission"
    __table_args__ = (Index("ix_submission_instance", "instance_id", "bpmn_id", "id"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    data: Mapped[dict] = mapped_column(JSON)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredFile(Base):
    """An uploaded file (evidence, photos), kept outside the web root under a random name."""

    __tablename__ = "stored_file"
    __table_args__ = (Index("ix_stored_file_instance", "instance_id"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigIntId)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(128), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Base):
    """A document produced by a workflow (e.g. the approved SLA), kept with its instance."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_instance", "instance_id", "kind"),)
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)  # printable HTML
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class CalendarDay(Base):
    """An administrator's change to the working-day calendar: an extra holiday (special holiday,
    bridge day, closure) or a working day on what would be a holiday."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


MILESTONES = ("forms_a_e", "plan_sla_photo", "report_6", "report_9", "report_12", "satisfaction")


class ReportingMilestone(Base):
    """The reporting calendar of a fiscal year, editable by the central office."""

    __tablename__ = "reporting_milestone"
    __table_args__ = (UniqueConstraint("fiscal_year", "code", name="uq_milestone"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    due_date: Mapped[date] = mapped_column(Date)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DesignDraft(Base):
    """A designer's work in progress: a bundle of BPMN files and the forms they use. Never runs."""

    __tablename__ = "design_draft"
    __table_args__ = (Index("ix_design_draft_owner", "owner_id", "updated_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(255))
    files: Mapped[dict] = mapped_column(JSON)   # filename -> BPMN XML
    forms: Mapped[dict] = mapped_column(JSON)   # form reference -> JSON Schema (overrides forms/)
    examples: Mapped[dict] = mapped_column(JSON, default=dict)  # form reference -> example payload
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
