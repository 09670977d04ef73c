"""What operators watch: the scheduler's heartbeat, the due backlog, failures and open incidents;
and the one action they take: retry."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from .. import audit
from ..actors import Actor, require
from ..context import Context
from ..errors import Conflict, NotFound
from ..models import Deadline, Incident, Instance, Notification, SchedulerHeartbeat, utcnow
from ..roles import CENTRAL
from . import recompute


@dataclass(frozen=True)
class Health:
    heartbeats: list[dict]
    backlog: int
    oldest_due: datetime | None
    failed_deadlines: int
    mail_pending: int
    mail_failed: int
    incidents: list[dict] = field(default_factory=list)
    recomputes: list[recompute.JobView] = field(default_factory=list)




def health(ctx: Context, actor: Actor, now: datetime | None = None) -> Health:
    require(actor, CENTRAL, what="operate slaflow")
    now = now or utcnow()
    with ctx.uow(write=False) as uow:
        s = uow.session
        beats = [{"name": b.name, "last_sweep_at": b.last_sweep_at, "fired": b.fired, "failures": b.failures}
                 for b in s.scalars(select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.name))]
        backlog, oldest = s.execute(select(func.count(), func.min(Deadline.due_at))
                                    .where(Deadline.status == "pending", Deadline.due_at <= now)).one()
        failed = s.scalar(select(func.count()).select_from(Deadline).where(Deadline.status == "failed"))
        mail_pending = s.scalar(select(func.count()).select_from(Notification)
                                .where(Notification.email_status == "pending"))
        mail_failed = s.scalar(select(func.count()).select_from(Notification)
                               .where(Notification.email_status == "failed"))
        rows = s.execute(select(Incident, Instance.service_process)
                         .outerjoin(Instance, Instance.id == Incident.instance_id)
                         .where(Incident.resolved_at.is_(None)).order_by(Incident.id.desc()).limit(200)).all()
        incidents = [{"id": i.id, "kind": i.kind, "message": i.message, "created_at": i.created_at,
                      "instance_id": i.instance_id, "service_process": sp or ""} for i, sp in rows]
        recomputes = recompute.recent(s)
    return Health(beats, backlog, oldest if backlog else None, failed, mail_pending, mail_failed, incidents,
                  recomputes)


def retry(ctx: Context, actor: Actor, incident_id: int) -> None:
    """Resolve an incident and put its failed timers back in the queue (the next sweep tries once more)."""
    require(actor, CENTRAL, what="operate slaflow")
    with ctx.uow() as uow:
        s = uow.session
        incident = s.get(Incident, incident_id)
        if incident is None:
            raise NotFound("incident not found")
        if incident.resolved_at is not None:
            raise Conflict("the incident is already resolved")
        reset = 0
        if incident.instance_id is not None:
            for row in s.scalars(select(Deadline).where(Deadline.instance_id == incident.instance_id,
                                                        Deadline.status == "failed")):
                row.status, row.attempts, row.last_error = "pending", 0, ""
                reset += 1
        if incident.kind == "recompute_failed":  # due dates not moved after a calendar change: again
            recompute.queue(s, actor, f"retry of incident {incident.id}", utcnow())
        incident.resolved_at = utcnow()
        audit.record(s, actor, "incident.retry", instance_id=incident.instance_id,
                     after={"incident": incident.id, "kind": incident.kind, "timers_requeued": reset})
        uow.commit()


def readiness(ctx: Context, now: datetime | None = None) -> dict:
    """What a load balancer asks before sending work (no login): the database answers, its schema is
    the code's, and the scheduler swept recently (three intervals). ``ready`` is all three."""
    from datetime import timedelta

    from .. import migrate

    now = now or utcnow()
    checks = {"database": False, "migrations": False, "scheduler": False}
    detail: dict = {}
    try:
        with ctx.uow(write=False) as uow:
            uow.session.execute(select(1))
            checks["database"] = True
            last = uow.session.scalar(select(func.max(SchedulerHeartbeat.last_sweep_at)))
        current, head = migrate.current_revision(ctx.db), migrate.head_revision()
        checks["migrations"] = current == head
        detail["revision"] = {"database": current, "code": head}
        stale_after = timedelta(seconds=3 * ctx.settings.scheduler_interval)
        checks["scheduler"] = last is not None and now - last <= stale_after
        detail["last_sweep_at"] = last.isoformat() if last else None
    except Exception as exc:  # noqa: BLE001 - an unreachable database is an answer, not an error
        detail["error"] = type(exc).__name__
    return {"ready": all(checks.values()), "checks": checks, **detail}


def gauges(ctx: Context, now: datetime | None = None) -> dict[str, float]:
    """The figures /metrics reports from the database (the same for every web worker): the due backlog
    and its age, failed deadlines, open incidents, the e-mail outbox, tasks completed and open."""
    from ..models import HumanTask, KickoffJob, RecomputeJob

    now = now or utcnow()
    with ctx.uow(write=False) as uow:
        s = uow.session
        backlog, oldest = s.execute(select(func.count(), func.min(Deadline.due_at))
                                    .where(Deadline.status == "pending", Deadline.due_at <= now)).one()
        last = s.scalar(select(func.max(SchedulerHeartbeat.last_sweep_at)))
        tasks = dict(s.execute(select(HumanTask.status, func.count()).group_by(HumanTask.status)).all())
        mail = dict(s.execute(select(Notification.email_status, func.count()).group_by(Notification.email_status))
                    .all())
        return {
            "slaflow_sweep_backlog": backlog or 0,
            "slaflow_sweep_backlog_age_seconds": (now - oldest).total_seconds() if oldest else 0,
            "slaflow_scheduler_last_sweep_age_seconds": (now - last).total_seconds() if last else -1,
            "slaflow_deadlines_failed": s.scalar(select(func.count()).select_from(Deadline)
                                                 .where(Deadline.status == "failed")) or 0,
            "slaflow_incidents_open": s.scalar(select(func.count()).select_from(Incident)
                                               .where(Incident.resolved_at.is_(None))) or 0,
            "slaflow_outbox_pending": mail.get("pending", 0),
            "slaflow_outbox_failed": mail.get("failed", 0),
            "slaflow_tasks_open": tasks.get("open", 0),
            "slaflow_tasks_completed_total": tasks.get("completed", 0),
            "slaflow_jobs_running": (s.scalar(select(func.count()).select_from(RecomputeJob)
                                              .where(RecomputeJob.status != "done")) or 0)
            + (s.scalar(select(func.count()).select_from(KickoffJob).where(KickoffJob.status != "done")) or 0),
        }
