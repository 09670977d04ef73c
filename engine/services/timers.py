"""Firing due timers from the deadline table: each row claimed in its own transaction, exactly once."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from .. import notifications
from ..actors import Actor
from ..context import Context
from ..errors import SlaflowError
from ..models import Deadline, HumanTask, Incident, Instance, SchedulerHeartbeat, utcnow
from .state import load_instance
from .workflow_step import step

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
SCHEDULER = Actor.system("scheduler")


@dataclass
class SweepResult:
    fired: int = 0     # BPMN timers
    notices: int = 0   # reminders, clock warnings, overdue escalations
    failed: int = 0
    skipped: int = 0


def due_ids(ctx: Context, now: datetime, limit: int = 500) -> list[int]:
    with ctx.uow(write=False) as uow:
        return list(uow.session.scalars(
            select(Deadline.id).where(Deadline.status == "pending", Deadline.due_at <= now)
            .order_by(Deadline.due_at, Deadline.id).limit(limit)))


def fire(ctx: Context, deadline_id: int, now: datetime) -> str | None:
    """Fire one due deadline: "timer" or "notice"; "failed" when it failed (recorded on the row, an
    incident after the last attempt); None when another process got there first or it is no longer due.

    Any error of one row is caught here, whatever its kind (a corrupt state, a bug in a handler): a bad
    row must never block the rows behind it."""
    try:
        with ctx.uow() as uow:
            s = uow.session
            head = s.execute(select(Deadline.kind, Deadline.instance_id)
                             .where(Deadline.id == deadline_id, Deadline.status == "pending")).first()
            if head is None:
                return None
            # every writer locks the instance before its deadlines (a submit cancels them): the same
            # order here, or a user and the scheduler deadlock on PostgreSQL
            instance = load_instance(s, head.instance_id) if head.kind == "timer" else None
            stmt = select(Deadline).where(Deadline.id == deadline_id, Deadline.status == "pending")
            if ctx.db.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            row = s.scalar(stmt)
            if row is None or row.due_at > now:
                return None
            if row.kind != "timer":
                return "notice" if _fire_task_deadline(ctx, uow, row, now) else None
            if instance is None or instance.status not in ("running", "stalled"):
                row.status = "cancelled"
                uow.commit()
                return None
            row.status, row.fired_at, row.attempts = "fired", now, row.attempts + 1
            step(s, ctx, instance, now, ctx.runtime.advance, actor=SCHEDULER, action="timer.fire",
                 after={"timer": row.bpmn_id, "due_at": row.due_at.isoformat()})
            uow.commit()
            return "timer"
    except SlaflowError as exc:
        _record_failure(ctx, deadline_id, exc.message, now)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - isolated per row, recorded, counted
        log.exception("timer %s failed unexpectedly", deadline_id)
        _record_failure(ctx, deadline_id, f"{type(exc).__name__}: {exc}", now)
        return "failed"


KIND_NOTICE = {"reminder": "due_soon", "clock": "clock", "overdue": "overdue"}


def _fire_task_deadline(ctx: Context, uow, row: Deadline, now: datetime) -> bool:
    """Reminders, clock warnings and overdue escalations: a notification, no workflow loaded.

    A notice that a later one of the same task has overtaken (the scheduler catching up after it was
    down: "half the time used", "due in 3 days" and "overdue" all due at once) is dropped: people get
    the latest only, not a burst of stale ones."""
    s = uow.session
    task = s.get(HumanTask, row.task_id) if row.task_id else None
    row.attempts += 1
    if task is None or task.status != "open" or task.due_at is None or _overtaken(s, row, now):
        row.status = "cancelled"
        uow.commit()
        return False
    instance = s.get(Instance, task.instance_id)
    notifications.task_deadline(s, instance, task, KIND_NOTICE[row.kind], dict(row.params or {}), now,
                                ZoneInfo(ctx.settings.timezone))
    row.status, row.fired_at = "fired", now
    uow.commit()
    return True


_LATER_DUE = (select(Deadline.id).where(
    Deadline.task_id == bindparam("task_id"), Deadline.status == "pending", Deadline.due_at > bindparam("after"),
    Deadline.due_at <= bindparam("now")).limit(1))


def _overtaken(s, row: Deadline, now: datetime) -> bool:
    """A later notice of the task is due too (task deadlines only ever carry a task id)."""
    return s.connection().execute(_LATER_DUE, {"task_id": row.task_id, "after": row.due_at, "now": now}).first() \
        is not None


def _record_failure(ctx: Context, deadline_id: int, message: str, now: datetime) -> None:
    log.warning("timer %s failed: %s", deadline_id, message)
    with ctx.uow() as uow:
        row = uow.session.get(Deadline, deadline_id)
        if row is None or row.status != "pending":
            return
        row.attempts += 1
        row.last_error = message[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            uow.session.add(Incident(instance_id=row.instance_id, kind="timer_failed", created_at=now,
                                     message=f"timer {row.bpmn_id}: {message}"[:4000]))
        uow.commit()


def sweep(ctx: Context, now: datetime | None = None, batch: int = 500, name: str = "scheduler") -> SweepResult:
    now = now or utcnow()
    result = SweepResult()
    for deadline_id in due_ids(ctx, now, batch):
        try:
            outcome = fire(ctx, deadline_id, now)
        except Exception:  # noqa: BLE001 - even recording the failure failed: the next row still runs
            log.exception("timer %s: the failure could not be recorded", deadline_id)
            outcome = "failed"
        if outcome == "failed":
            result.failed += 1
        elif outcome == "timer":
            result.fired += 1
        elif outcome == "notice":
            result.notices += 1
        else:
            result.skipped += 1
    with ctx.uow() as uow:
        beat = uow.session.get(SchedulerHeartbeat, name)
        if beat is None:
            beat = SchedulerHeartbeat(name=name, fired=0, failures=0)
            uow.session.add(beat)
        beat.last_sweep_at = now
        beat.fired += result.fired
        beat.failures += result.failed
        uow.commit()
    return result
