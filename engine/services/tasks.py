"""Human-task use cases: list, show, claim, unclaim, save draft, submit."""
from __future__ import annotations

import json
import math
from datetime import timedelta

from sqlalchemy import bindparam, insert, null, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit, calendar_context, forms
from ..actors import Actor
from ..context import Context
from ..db import locked_at_begin
from ..errors import Conflict, Forbidden, FormInvalid, InvalidInput, NotFound
from ..files import file_refs
from ..models import HumanTask, Instance, StoredFile, Submission, utcnow
from . import task_deadlines
from .workflow_step import step

MAX_DATA_BYTES = 1_000_000


def _visible_task(s: Session, actor: Actor, task_id: int) -> HumanTask:
    task = s.get(HumanTask, task_id)
    if task is None or not actor.can_see_agency(task.agency_id):
        # another agency's record is "not found", never "forbidden": its existence is not disclosed
        raise NotFound("task not found")
    return task


def _workable_task(s: Session, actor: Actor, task_id: int) -> HumanTask:
    return _check_workable(actor, s.get(HumanTask, task_id))


def _check_workable(actor: Actor, task: HumanTask | None) -> HumanTask:
    if task is None or not actor.can_see_agency(task.agency_id):
        raise NotFound("task not found")  # another agency's task is not disclosed either
    if not actor.can_do(task.role, task.agency_id):
        raise Forbidden("this task belongs to another role")
    if task.status != "open":
        raise Conflict("the task is already " + task.status)
    return task


def claim(ctx: Context, actor: Actor, task_id: int) -> None:
    with ctx.uow() as uow:
        task = _workable_task(uow.session, actor, task_id)
        if task.assignee_id == actor.user_id:
            return
        if task.assignee_id is not None:
            raise Conflict("someone else has already claimed this task")
        task.assignee_id = actor.user_id
        audit.record(uow.session, actor, "task.claim", agency_id=task.agency_id, instance_id=task.instance_id,
                     task_id=task.id, before={"assignee_id": None}, after={"assignee_id": actor.user_id})
        uow.commit()


def unclaim(ctx: Context, actor: Actor, task_id: int) -> None:
    with ctx.uow() as uow:
        task = _workable_task(uow.session, actor, task_id)
        if task.assignee_id != actor.user_id:
            raise Conflict("you have not claimed this task")
        task.assignee_id = None
        audit.record(uow.session, actor, "task.unclaim", agency_id=task.agency_id, instance_id=task.instance_id,
                     task_id=task.id, before={"assignee_id": actor.user_id}, after={"assignee_id": None})
        uow.commit()


def _take(task: HumanTask, actor: Actor) -> None:
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
    elif task.assignee_id != actor.user_id:
        raise Conflict("someone else has claimed this task")


def _check_size(data: dict) -> None:
    """Large content (files, long reports) belongs in its own tables, never in task data."""
    if len(json.dumps(data, default=str)) > MAX_DATA_BYTES:
        raise InvalidInput("the data is too large", field="_form")


def save_draft(ctx: Context, actor: Actor, task_id: int, data: dict) -> None:
    if not isinstance(data, dict):
        raise InvalidInput("draft data must be an object")
    _check_size(data)
    with ctx.uow() as uow:
        task = _workable_task(uow.session, actor, task_id)
        _take(task, actor)
        before, after = audit.changed(task.draft, data)
        task.draft = data
        audit.record(uow.session, actor, "task.draft", agency_id=task.agency_id, instance_id=task.instance_id,
                     task_id=task.id, before=before, after=after)
        uow.commit()


# the task's instance with every open task of it: the submitted one, and the others saving must
# know about; read under the instance's lock
_INSTANCE_OF_TASK = (Instance.id == select(HumanTask.instance_id).where(HumanTask.id == bindparam("task_id"))
                     .scalar_subquery())
_INSTANCE_AND_OPEN_TASKS = (select(Instance, HumanTask).join(HumanTask, HumanTask.instance_id == Instance.id)
                            .where(_INSTANCE_OF_TASK, HumanTask.status == "open"))
_LOCK_INSTANCE = select(Instance.id).where(_INSTANCE_OF_TASK).with_for_update(key_share=True)
_INSERT_SUBMISSION = insert(Submission.__table__)
_COMPLETE_TASK = (update(HumanTask.__table__)
                  .where(HumanTask.__table__.c.id == bindparam("_id"), HumanTask.__table__.c.status == "open")
                  .values(status="completed", draft=null(), assignee_id=bindparam("assignee_id"),
                          completed_at=bindparam("completed_at"), completed_by_id=bindparam("completed_by_id"),
                          days_late=bindparam("days_late"), working_days_late=bindparam("working_days_late")))


def submit(ctx: Context, actor: Actor, task_id: int, data: dict, lang: str = "th") -> None:
    """Validate against the form, complete the task, run to the next wait state, save: or change nothing."""
    if not isinstance(data, dict):
        raise InvalidInput("task data must be an object")
    _check_size(data)
    with ctx.uow() as uow:
        s = uow.session
        if not locked_at_begin(s):  # lock the instance first, then read its tasks as they are now
            s.execute(_LOCK_INSTANCE, {"task_id": task_id})
        rows = s.execute(_INSTANCE_AND_OPEN_TASKS, {"task_id": task_id}).all()
        open_tasks = {open_task.id: open_task for _, open_task in rows}
        if task_id not in open_tasks:
            _workable_task(s, actor, task_id)  # says why: missing, another agency's, or no longer open
            raise Conflict("the task is no longer open")
        task = _check_workable(actor, open_tasks[task_id])
        instance = rows[0][0]
        if task.assignee_id not in (None, actor.user_id):
            raise Conflict("someone else has claimed this task")
        if instance.status not in ("running", "stalled"):
            raise Conflict(f"the workflow is {instance.status}")
        key = (ctx.settings.database_url, instance.version_id, task.form)  # version ids are per database
        schema = forms.cached_schema(key, lambda: instance.version.forms.get(task.form) if task.form else None)
        forms.validate(schema, data, lang, cache_key=key)
        _check_files(s, instance, data, lang)
        now = utcnow()
        conn = s.connection()
        # stored first: a service task right after this one may read it (ctx.submission)
        submission_id = conn.execute(_INSERT_SUBMISSION, dict(
            instance_id=instance.id, task_id=task.id, bpmn_id=task.bpmn_id, data=data,
            submitted_by_id=actor.user_id, submitted_at=now)).inserted_primary_key[0]
        def change(wf):
            ctx.runtime.complete(wf, task.spiff_task_id, forms.workflow_data(schema, data))
            done = dict(status="completed", draft=None, assignee_id=actor.user_id, completed_at=now,
                        completed_by_id=actor.user_id, **_lateness(s, ctx, instance, task, now))
            if conn.execute(_COMPLETE_TASK, {"_id": task.id, **done}).rowcount != 1:
                raise Conflict("the task is no longer open")
            for name, value in done.items():
                set_committed_value(task, name, value)
            task_deadlines.cancel(s, task)

        step(s, ctx, instance, now, change, actor=actor, action="task.submit", task_id=task.id,
             after={"task": task.bpmn_id, "submission_id": submission_id},
             open_tasks={t.spiff_task_id: (t.id, t.due_at) for t in open_tasks.values() if t is not task})
        uow.commit()


def _lateness(s: Session, ctx: Context, instance: Instance, task: HumanTask, now) -> dict:
    """Days late (calendar and working days) of a task done after its due date, for scoring."""
    if task.due_at is None or now <= task.due_at:
        return {"days_late": None, "working_days_late": None}
    calendar = calendar_context.for_session(s, ctx.settings.timezone, instance.agency_id)
    return {"days_late": math.ceil((now - task.due_at) / timedelta(days=1)),
            "working_days_late": calendar.calendar.working_days_between(
                task.due_at.astimezone(calendar.tz).date(), now.astimezone(calendar.tz).date())}


def _check_files(s: Session, instance: Instance, data: dict, lang: str) -> None:
    """Every referenced file must be an upload of this instance (never another agency's file)."""
    refs = file_refs(data)
    if not refs:
        return
    ids = {file_id for _, file_id in refs}
    known = set(s.scalars(select(StoredFile.id).where(StoredFile.id.in_(ids),
                                                      StoredFile.instance_id == instance.id)))
    errors = {}
    for path, file_id in refs:
        if file_id not in known:
            errors.setdefault(path, []).append(forms.message("file", lang))
    if errors:
        raise FormInvalid(errors)
