"""Loading and saving an instance's workflow, with everything derived from it in the same transaction.

At every save: the serialized state, the materialized human tasks, the deadline rows of pending
timers, the instance status, and an incident when the instance has stalled.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import calendar_context, notifications
from ..context import Context
from ..models import Deadline, HumanTask, Incident, Instance, ProcessVersion
from ..roles import role_for_lane
from . import task_deadlines


def load_instance(session: Session, instance_id: int, lock: bool = True) -> Instance | None:
    stmt = select(Instance).where(Instance.id == instance_id)
    if lock:
        stmt = stmt.with_for_update(of=Instance)
    return session.scalar(stmt)


def specs_for(ctx: Context, version: ProcessVersion):
    return ctx.runtime.specs.get(version.id, lambda: version.spec_json)


def load_workflow(ctx: Context, instance: Instance):
    spec, subs = ctx.runtime.specs.get(instance.version_id, lambda: instance.version.spec_json)
    return ctx.runtime.load(instance.state, spec, subs)


def save_workflow(session: Session, ctx: Context, instance: Instance, wf, now: datetime) -> None:
    instance.state = ctx.runtime.dump(wf)
    instance.updated_at = now
    instance.progress = ctx.runtime.top_level_progress(wf)
    ready = ctx.runtime.ready_user_tasks(wf)
    timers = ctx.runtime.timers(wf)
    calendar = calendar_context.for_session(session, ctx.settings.timezone, instance.agency_id)
    with session.no_autoflush, calendar_context.using(calendar):  # one flush at commit, not one per query
        _sync_human_tasks(session, ctx, instance, ready, now)
        _sync_deadlines(session, instance, timers, now)
    if wf.is_completed():
        instance.status = "completed"
    elif not ready and not timers and not ctx.runtime.has_waiting_events(wf):
        if instance.status != "stalled":
            session.add(Incident(instance_id=instance.id, kind="stalled", created_at=now,
                                 message="instance is not finished but has no ready task and no pending timer"))
        instance.status = "stalled"
    elif instance.status == "stalled":
        instance.status = "running"


def _sync_human_tasks(session: Session, ctx: Context, instance: Instance, ready, now: datetime) -> None:
    open_rows = {
        row.spiff_task_id: row
        for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                           HumanTask.status == "open"))
    }
    # rows changed in memory but not flushed yet (the task just submitted) count as they are now
    open_rows = {k: row for k, row in open_rows.items() if row.status == "open"}
    wanted = {view.spiff_task_id for view in ready}
    for view in ready:
        row = open_rows.get(view.spiff_task_id)
        if row is not None:
            # a fired deadline leaves the task its due date: only a new date replaces it
            if view.due_at is not None and row.due_at != view.due_at:
                row.due_at = view.due_at
                task_deadlines.sync(session, row, ctx.settings, now)
            continue
        task = HumanTask(
            instance_id=instance.id, agency_id=instance.agency_id, spiff_task_id=view.spiff_task_id,
            bpmn_id=view.bpmn_id, name=view.name, lane=view.lane, role=role_for_lane(view.lane) or "officer",
            form=view.form, instructions=view.instructions, status="open", created_at=now, due_at=view.due_at,
        )
        session.add(task)
        session.flush()  # the task id goes into its notifications and deadlines
        notifications.new_task(session, instance, task, now)
        task_deadlines.sync(session, task, ctx.settings, now)
    for spiff_id, row in open_rows.items():
        if spiff_id not in wanted:
            row.status = "cancelled"
            row.completed_at = now
            task_deadlines.cancel(session, row)


def _sync_deadlines(session: Session, instance: Instance, timers, now: datetime) -> None:
    rows = {
        row.spiff_task_id: row
        for row in session.scalars(select(Deadline).where(Deadline.instance_id == instance.id,
                                                          Deadline.kind == "timer",
                                                          Deadline.status == "pending"))
    }
    rows = {k: row for k, row in rows.items() if row.status == "pending"}
    wanted = {t.spiff_task_id: t for t in timers}
    for spiff_id, timer in wanted.items():
        row = rows.get(spiff_id)
        if row is None:
            existing = session.scalar(select(Deadline).where(Deadline.instance_id == instance.id,
                                                             Deadline.spiff_task_id == spiff_id))
            if existing is not None:  # a cycle timer that fired and waits again
                existing.status, existing.due_at, existing.last_error = "pending", timer.due_at, ""
                continue
            session.add(Deadline(instance_id=instance.id, spiff_task_id=spiff_id, bpmn_id=timer.bpmn_id,
                                 kind="timer", due_at=timer.due_at, status="pending", attempts=0, last_error="",
                                 expression=timer.expression, basis_at=now))
        elif row.due_at != timer.due_at:
            row.due_at = timer.due_at
    for spiff_id, row in rows.items():
        if spiff_id not in wanted:
            row.status = "cancelled"
