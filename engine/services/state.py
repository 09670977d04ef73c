"""Loading and saving an instance's workflow, with everything derived from it in the same transaction.

At every save: the serialized state, the materialized human tasks, the deadline rows of pending
timers, the instance status, and an incident when the instance has stalled.

Saving is on every path that moves a workflow, so it speaks SQL Core with statements built once:
the ORM stays for reading and for the rare changes (a task's due date moving).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import calendar_context, notifications
from ..context import Context
from ..errors import Conflict
from ..models import Deadline, HumanTask, Incident, Instance, ProcessVersion
from ..roles import role_for_lane
from ..runtime import TimerView
from ..statuses import InstanceStatus, transition
from . import stage_summary, task_deadlines

_instance, _task, _deadline = Instance.__table__, HumanTask.__table__, Deadline.__table__
_SAVE_INSTANCE = (
    update(_instance).where(_instance.c.id == bindparam("_id"), _instance.c.row_version == bindparam("_seen"))
    .values(state=bindparam("state"), updated_at=bindparam("updated_at"), progress=bindparam("progress"),
            status=bindparam("status"), row_version=bindparam("row_version"))
)
_OPEN_TASKS = select(_task.c.id, _task.c.spiff_task_id, _task.c.due_at).where(
    _task.c.instance_id == bindparam("instance_id"), _task.c.status == "open")
_INSERT_TASK = insert(_task)
_CLOSE_TASKS = (update(_task).where(_task.c.id.in_(bindparam("ids", expanding=True)), _task.c.status == "open")
                .values(status="cancelled", completed_at=bindparam("now")))
_PENDING_TIMERS = select(_deadline.c.id, _deadline.c.spiff_task_id, _deadline.c.due_at).where(
    _deadline.c.instance_id == bindparam("instance_id"), _deadline.c.kind == "timer",
    _deadline.c.status == "pending")
_SAME_TIMER = select(_deadline.c.id).where(_deadline.c.instance_id == bindparam("instance_id"),
                                           _deadline.c.spiff_task_id == bindparam("spiff_task_id"))
_INSERT_DEADLINE = insert(_deadline)
_REARM_TIMER = (update(_deadline).where(_deadline.c.id == bindparam("_id"))
                .values(status="pending", due_at=bindparam("due_at"), last_error=""))
_MOVE_TIMER = update(_deadline).where(_deadline.c.id == bindparam("_id")).values(due_at=bindparam("due_at"))
_DROP_TIMERS = (update(_deadline).where(_deadline.c.id.in_(bindparam("ids", expanding=True)))
                .values(status="cancelled"))

def load_instance(session: Session, instance_id: int, lock: bool = True) -> Instance | None:
    stmt = select(Instance).where(Instance.id == instance_id)
    if lock:
        stmt = stmt.with_for_update(of=Instance, key_share=True)  # FOR NO KEY UPDATE: references go on
    return session.scalar(stmt)


def specs_for(ctx: Context, version: ProcessVersion):
    return ctx.runtime.specs.get(version.id, lambda: version.spec_json)


def load_workflow(ctx: Context, instance: Instance):
    spec, subs = ctx.runtime.specs.get(instance.version_id, lambda: instance.version.spec_json)
    return ctx.runtime.load(instance.state, spec, subs)


@dataclass(frozen=True)
class Known:
    """What a caller read under the instance's lock before running the workflow, so that saving need
    not read it again: the open task rows, and the pending timers of the state as loaded (valid only
    when the caller changed no timer row: the rows then still match them)."""

    open_tasks: dict[str, tuple[int, datetime | None]]  # spiff task id -> (row id, due date)
    timers: list[TimerView]


def save_workflow(session: Session, ctx: Context, instance: Instance, wf, now: datetime,
                  known: Known | None = None, cancelled: bool = False) -> None:
    # changes the caller made through the ORM go first, so the statements below see them
    session.flush()
    conn = session.connection()
    ready = ctx.runtime.ready_user_tasks(wf)
    timers = ctx.runtime.timers(wf)
    status = instance.status
    if cancelled:
        status = InstanceStatus.CANCELLED
    elif wf.is_completed():
        status = InstanceStatus.COMPLETED
    elif not ready and not timers and not ctx.runtime.has_waiting_events(wf):
        if status != InstanceStatus.STALLED:
            session.add(Incident(instance_id=instance.id, kind="stalled", created_at=now,
                                 message="instance is not finished but has no ready task and no pending timer"))
        status = InstanceStatus.STALLED
    elif status == InstanceStatus.STALLED:
        status = InstanceStatus.RUNNING
    status = str(transition(InstanceStatus, instance.status, status))
    values = dict(state=ctx.runtime.dump(wf), updated_at=now, progress=ctx.runtime.top_level_progress(wf),
                  status=status, row_version=instance.row_version + 1)
    summary_changed = values["progress"] != (instance.progress or {}) or status != instance.status
    # the version check: a writer who read the same version earlier loses, nothing of it is kept
    if conn.execute(_SAVE_INSTANCE, {"_id": instance.id, "_seen": instance.row_version, **values}).rowcount != 1:
        raise Conflict("someone else changed this record first; reload and try again")
    for key, value in values.items():
        set_committed_value(instance, key, value)
    if summary_changed:
        stage_summary.refresh(session, instance.agency_id, instance.fiscal_year, instance.definition_id)
    calendar = calendar_context.for_session(session, ctx.settings.timezone, instance.agency_id)
    with calendar_context.using(calendar):
        _sync_human_tasks(session, ctx, instance, ready, now, known.open_tasks if known else None)
        if known is None or known.timers != timers:
            _sync_deadlines(session, instance, timers, now)


def _sync_human_tasks(session: Session, ctx: Context, instance: Instance, ready, now: datetime,
                      open_rows: dict[str, tuple[int, datetime | None]] | None) -> None:
    conn = session.connection()
    if open_rows is None:
        open_rows = {row.spiff_task_id: (row.id, row.due_at)
                     for row in conn.execute(_OPEN_TASKS, {"instance_id": instance.id})}
    open_rows = dict(open_rows)
    for view in ready:
        row = open_rows.pop(view.spiff_task_id, None)
        if row is not None:
            # a fired deadline leaves the task its due date: only a new date replaces it
            row_id, due_at = row
            if view.due_at is not None and due_at != view.due_at:
                task = session.get(HumanTask, row_id)
                task.due_at = view.due_at
                task_deadlines.sync(session, task, ctx.settings, now)
            continue
        values = dict(instance_id=instance.id, agency_id=instance.agency_id, spiff_task_id=view.spiff_task_id,
                      bpmn_id=view.bpmn_id, name=view.name, lane=view.lane,
                      role=role_for_lane(view.lane) or "officer", form=view.form, instructions=view.instructions,
                      status="open", created_at=now, due_at=view.due_at)
        new_id = conn.execute(_INSERT_TASK, values).inserted_primary_key[0]
        task = HumanTask(id=new_id, **values)  # its value for notices and deadlines; not in the session
        notifications.new_task(session, instance, task, now)
        task_deadlines.plan_new(session, task, ctx.settings, now)
    if open_rows:  # tasks the workflow no longer waits for (a boundary event took another path)
        gone = [row_id for row_id, _ in open_rows.values()]
        conn.execute(_CLOSE_TASKS, {"ids": gone, "now": now})
        task_deadlines.cancel_ids(session, gone)


def _sync_deadlines(session: Session, instance: Instance, timers, now: datetime) -> None:
    conn = session.connection()
    rows = {row.spiff_task_id: row for row in conn.execute(_PENDING_TIMERS, {"instance_id": instance.id})}
    new = []
    for timer in timers:
        row = rows.pop(timer.spiff_task_id, None)
        if row is not None:
            if row.due_at != timer.due_at:
                conn.execute(_MOVE_TIMER, {"_id": row.id, "due_at": timer.due_at})
            continue
        existing = conn.scalar(_SAME_TIMER, {"instance_id": instance.id, "spiff_task_id": timer.spiff_task_id})
        if existing is not None:  # a cycle timer that fired and waits again
            conn.execute(_REARM_TIMER, {"_id": existing, "due_at": timer.due_at})
            continue
        new.append(dict(instance_id=instance.id, spiff_task_id=timer.spiff_task_id, bpmn_id=timer.bpmn_id,
                        kind="timer", due_at=timer.due_at, status="pending", attempts=0, last_error="",
                        expression=timer.expression, basis_at=now))
    if new:
        conn.execute(_INSERT_DEADLINE, new)
    if rows:
        conn.execute(_DROP_TIMERS, {"ids": [row.id for row in rows.values()]})
