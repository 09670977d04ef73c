"""Moving due dates after a calendar change: queued work for the scheduler, never done in the request.

A holiday saved at ``/calendar`` or a date at ``/reporting-calendar`` queues a job in the same
transaction (so a saved change always has its recompute); the scheduler takes the job, goes over every
instance with a pending calendar timer, one transaction each, and records its progress with each
instance. A job whose scheduler died is taken up again from the last instance done; an instance that
fails becomes an incident (retried from ``/operations``) and never stops the instances behind it.
Recomputing is idempotent: an instance whose due dates are already right is left as it is.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..actors import Actor
from ..context import Context
from ..models import Deadline, Incident, RecomputeJob, utcnow
from . import queued_jobs
from .state import load_instance
from .workflow_step import UNCHANGED, step

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobView:
    id: int
    reason: str
    status: str
    requested_at: datetime
    total: int
    handled: int
    changed: int
    failed: int
    finished_at: datetime | None


def queue(session: Session, actor: Actor, reason: str, now: datetime) -> int:
    """Queue a recompute in the caller's transaction; a job still waiting to start covers this change too."""
    job = session.scalar(select(RecomputeJob).where(RecomputeJob.status == "queued")
                         .order_by(RecomputeJob.id).limit(1))
    if job is None:
        job = RecomputeJob(reason=reason[:300], requested_by_id=actor.user_id, requested_at=now, status="queued",
                           cursor=0, total=0, handled=0, changed=0, failed=0)
        session.add(job)
        session.flush()
    return job.id


def _pending_instances(session: Session, after: int = 0):
    return (select(Deadline.instance_id).where(Deadline.kind == "timer", Deadline.status == "pending",
                                               Deadline.expression != "", Deadline.instance_id > after)
            .distinct())


def run_queued(ctx: Context) -> list[int]:
    """Run every claimable job to its end; returns their ids. Called by the scheduler at each tick."""
    return queued_jobs.run_all(
        ctx, RecomputeJob, lambda s, job: s.scalar(select(func.count()).select_from(_pending_instances(s).subquery())),
        _run)


def _run(ctx: Context, job: RecomputeJob) -> None:
    actor = Actor.system("calendar")
    with ctx.uow(write=False) as uow:
        instance_ids = sorted(uow.session.scalars(_pending_instances(uow.session, job.cursor)))
    for instance_id in instance_ids:
        try:
            with ctx.uow() as uow:
                moved = recompute_instance(ctx, uow.session, instance_id, actor, utcnow())
                _progress(uow.session, job.id, instance_id, changed=bool(moved))
                uow.commit()
        except Exception as exc:  # noqa: BLE001 - one bad instance must never block the ones behind it
            log.exception("recompute of instance %s failed", instance_id)
            with ctx.uow() as uow:
                uow.session.add(Incident(instance_id=instance_id, kind="recompute_failed", created_at=utcnow(),
                                         message=f"due dates not moved after a calendar change: "
                                                 f"{type(exc).__name__}: {exc}"[:2000]))
                _progress(uow.session, job.id, instance_id, failed=True)
                uow.commit()
    with ctx.uow() as uow:
        row = uow.session.get(RecomputeJob, job.id)
        row.status, row.finished_at = "done", utcnow()
        uow.commit()


def _progress(session: Session, job_id: int, instance_id: int, changed: bool = False, failed: bool = False) -> None:
    job = session.get(RecomputeJob, job_id)
    job.cursor, job.heartbeat_at = instance_id, utcnow()
    job.handled += 1
    job.changed += int(changed)
    job.failed += int(failed)


def recompute_instance(ctx: Context, session: Session, instance_id: int, actor: Actor, now: datetime) -> dict:
    """Re-evaluate the instance's pending timers as of the moment each was set, with the calendars as
    they are now; move those that change (and their tasks' due dates, reminders and warnings)."""
    from ..handler_context import running

    instance = load_instance(session, instance_id)
    if instance is None or instance.status not in ("running", "stalled"):
        return {}
    rows = {d.spiff_task_id: d for d in session.scalars(select(Deadline).where(
        Deadline.instance_id == instance_id, Deadline.kind == "timer", Deadline.status == "pending"))}

    def change(wf):
        moved = {}
        for timer in ctx.runtime.date_timers(wf):  # the top workflow and every called stage
            row = rows.get(timer.id)
            if row is None or not row.expression:
                continue
            with running(session, instance, now, ctx.settings.timezone, clock=row.basis_at or now):
                value = ctx.runtime.evaluate_for(timer, row.expression)
            if value != timer.value:
                timer.move_to(value)
                moved[row.bpmn_id] = value
        return moved or UNCHANGED

    moved = step(session, ctx, instance, now, change, in_context=False, actor=actor, action="deadline.recompute",
                 after=lambda moved: moved)
    return {} if moved is UNCHANGED else moved


def recent(session: Session, limit: int = 10) -> list[JobView]:
    return [JobView(j.id, j.reason, j.status, j.requested_at, j.total, j.handled, j.changed, j.failed,
                    j.finished_at)
            for j in session.scalars(select(RecomputeJob).order_by(RecomputeJob.id.desc()).limit(limit))]
