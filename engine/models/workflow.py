"""Deployed processes, their instances, human tasks and what people submit, upload and receive."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BigIntId, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .accounts import Agency


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


class Instance(Base):
    """One running workflow: one per agency, service process and fiscal year."""

    __tablename__ = "instance"
    __table_args__ = (
        UniqueConstraint(
            "definition_id", "agency_id", "service_process", "fiscal_year", name="uq_instance_per_year"
        ),
        Index("ix_instance_agency_status", "agency_id", "status"),
        Index("ix_instance_year_definition", "fiscal_year", "definition_id", "agency_id"),
        CheckConstraint("status IN ('running', 'stalled', 'completed', 'cancelled')", name="ck_instance_status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service_process: Mapped[str] = mapped_column(String(255))
    fiscal_year: Mapped[int] = mapped_column(Integer)  # Buddhist Era, e.g. 2569
    status: Mapped[str] = mapped_column(String(16), default="running")  # engine.statuses.InstanceStatus
    state: Mapped[str] = mapped_column(Text)  # SpiffWorkflow serialization without the spec
    # the top-level elements reached: {bpmn id: "done" | "current"}, for dashboards at national scale
    progress: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # the evaluation group, known at start from the agency's earlier years (the profile's rule) or set
    # by the evaluator with a reason
    evaluation_group: Mapped[str] = mapped_column(String(32), default="", server_default="")
    group_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[ProcessVersion] = relationship()  # loaded when a cache by version_id misses
    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": row_version}


class HumanTask(Base):
    """A user task materialized at every save, so task lists never deserialize workflows."""

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id", name="uq_human_task_spiff"),
        Index("ix_human_task_pool", "agency_id", "role", "status", "due_at"),
        CheckConstraint("status IN ('open', 'completed', 'cancelled')", name="ck_human_task_status"),
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
    status: Mapped[str] = mapped_column(String(16), default="open")  # engine.statuses.TaskStatus
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    draft: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    days_late: Mapped[int | None] = mapped_column(Integer, nullable=True)  # calendar days, when done late
    working_days_late: Mapped[int | None] = mapped_column(Integer, nullable=True)
    instance: Mapped[Instance] = relationship(lazy="raise")


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
    #: an import's report: what was converted and what is left for a person (lists of Note.to_dict data)
    import_notes: Mapped[list | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StageSummary(Base):
    """Where an agency stands in each stage of a process in a fiscal year, merged over its workflows of
    that process ("current" wins over "done"; stages not reached have no row). Kept at every save, so
    that the central office's heat map is one aggregate query, never a read of every workflow."""

    __tablename__ = "stage_summary"
    __table_args__ = (
        CheckConstraint("state IN (1, 2)", name="ck_stage_summary_state"),
        Index("ix_stage_summary_heat", "fiscal_year", "definition_id", "stage_id", "state"),
    )

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    stage_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[int] = mapped_column(Integer)  # 1 done, 2 current


class KickoffJob(Base):
    """Starting a fiscal year: one workflow of a process for every agency (or a filtered set), queued by
    the central office and run by the scheduler in batches. Resumable: ``cursor`` is the last agency
    handled, advanced in the transaction that starts that batch's workflows; agencies that already run
    the process that year are skipped, so running a job twice starts nothing twice."""

    __tablename__ = "kickoff_job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done')", name="ck_kickoff_job_status"),
        Index("ix_kickoff_job_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    service_process: Mapped[str] = mapped_column(String(255))
    ministry: Mapped[str] = mapped_column(String(255), default="", server_default="")
    region: Mapped[str] = mapped_column(String(100), default="", server_default="")
    agency_ids: Mapped[list | None] = mapped_column(JSON, nullable=True)  # an evaluator's subtree; None: all
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    started: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
