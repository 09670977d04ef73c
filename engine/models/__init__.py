"""Typed SQLAlchemy 2.x models. The schema is created by Alembic migrations (engine/migrations)."""
from .accounts import Agency, ApiToken, User, UserRole  # noqa: F401
from .base import Base, BigIntId, UTCDateTime, utcnow  # noqa: F401
from .measurement import ServiceMonth, ServiceRecord  # noqa: F401
from .public import Complaint, MailOut, PublicSla, PublicSlaVersion, Survey, SurveyResponse  # noqa: F401
from .records import AuditChain, AuditEvent, LoginFailure, Notification  # noqa: F401
from .scoring import KpiScheme, KpiScore, ScoreCorrection  # noqa: F401
from .timekeeping import (  # noqa: F401
    CalendarDay,
    CalendarRevision,
    Deadline,
    Incident,
    RecomputeJob,
    ReportingCalendarRule,
    ReportingMilestone,
    SchedulerHeartbeat,
)
from .workflow import (  # noqa: F401
    DesignDraft,
    Document,
    HumanTask,
    Instance,
    KickoffJob,
    ProcessDefinition,
    ProcessVersion,
    StageSummary,
    StoredFile,
    Submission,
)

