"""Deadlines of a human task with a due date: reminders N working days before, SLA-clock warnings at
a share of its allowed time, and the overdue escalation at the due date. Rows in the deadline table,
kept in step with the task in the same transaction; fired once each by the scheduler."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from ..calendar_context import current
from ..config import Settings
from ..models import Deadline, HumanTask

_CANCEL = (update(Deadline.__table__)
           .where(Deadline.__table__.c.task_id.in_(bindparam("task_ids", expanding=True)),
                  Deadline.__table__.c.status == "pending", Deadline.__table__.c.kind != "timer")
           .values(status="cancelled"))
_INSERT = insert(Deadline.__table__)


def plan(task: HumanTask, settings: Settings, now: datetime) -> list[dict]:
    """The deadline rows a task needs (only those still in the future, plus the overdue one)."""
    if task.due_at is None:
        return []
    ctx = current()
    rows = [dict(key=f"overdue:{task.id}", kind="overdue", due_at=task.due_at, params={})]
    due_local = task.due_at.astimezone(ctx.tz)
    for days in settings.reminder_days:
        day = ctx.calendar.add_working_days(due_local.date(), -int(days))
        at = datetime.combine(day, time(8, 30), ctx.tz)
        if now < at < task.due_at:
            rows.append(dict(key=f"reminder:{task.id}:{days}", kind="reminder", due_at=at, params={"days": days}))
    allowed = task.due_at - task.created_at
    if allowed > timedelta(0):
        for percent in settings.clock_warnings:
            at = task.created_at + allowed * (percent / 100)
            if now < at < task.due_at:
                rows.append(dict(key=f"clock:{task.id}:{percent}", kind="clock", due_at=at,
                                 params={"percent": percent}))
    return rows


def cancel(session: Session, task: HumanTask) -> None:
    """Drop a finished task's pending reminders (a task without a due date never had any)."""
    if task.due_at is not None:
        cancel_ids(session, [task.id])


def cancel_ids(session: Session, task_ids: list[int]) -> None:
    session.connection().execute(_CANCEL, {"task_ids": task_ids})


def plan_new(session: Session, task: HumanTask, settings: Settings, now: datetime) -> None:
    """The deadline rows of a task just created (it has none yet)."""
    rows = [dict(instance_id=task.instance_id, spiff_task_id=row["key"], bpmn_id=task.bpmn_id, kind=row["kind"],
                 task_id=task.id, params=row["params"], due_at=row["due_at"], status="pending", attempts=0,
                 last_error="", expression="") for row in plan(task, settings, now)]
    if rows:
        session.connection().execute(_INSERT, rows)


def sync(session: Session, task: HumanTask, settings: Settings, now: datetime) -> None:
    """Make the task's pending deadline rows match its due date (nothing to do when they already do)."""
    wanted = {row["key"]: row for row in plan(task, settings, now)} if task.status == "open" else {}
    existing = {d.spiff_task_id: d for d in session.scalars(
        select(Deadline).where(Deadline.task_id == task.id, Deadline.kind != "timer"))}
    for key, row in existing.items():
        if row.status == "pending" and (key not in wanted or wanted[key]["due_at"] != row.due_at):
            row.status = "cancelled"
    for key, row in wanted.items():
        old = existing.get(key)
        if old is not None and old.status == "pending" and old.due_at == row["due_at"]:
            continue
        if old is not None:  # the same reminder again after a due date changed: reuse its row
            if old.status == "fired":
                continue
            old.status, old.due_at, old.params, old.attempts, old.last_error = \
                "pending", row["due_at"], row["params"], 0, ""
            continue
        session.add(Deadline(instance_id=task.instance_id, spiff_task_id=row["key"], bpmn_id=task.bpmn_id,
                             kind=row["kind"], task_id=task.id, params=row["params"], due_at=row["due_at"],
                             status="pending", attempts=0, last_error="", expression=""))
