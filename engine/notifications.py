"""Notifications: who hears about what, rendered in the reader's language, e-mailed from an outbox.

A notification row is written in the same transaction as the change it reports. E-mail is sent
later by the scheduler process (engine.mailer), so a mail server that is down never blocks anyone.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, literal, select, union_all
from sqlalchemy.orm import Session

from .messages import render
from .models import HumanTask, Instance, Notification, User, UserRole
from .roles import AGENCY_ROLES

_user, _role, _task = User.__table__, UserRole.__table__, HumanTask.__table__


def _holders(*columns, agency: bool):
    stmt = select(_user.c.id, *columns).join(_role, _role.c.user_id == _user.c.id).where(
        _role.c.role == bindparam("role"), _user.c.active.is_(True))
    return stmt.where(_user.c.agency_id == bindparam("agency_id")) if agency else stmt


_HOLDERS = {agency: _holders(agency=agency) for agency in (False, True)}
_LAST_DOER = (select(_task.c.completed_by_id, literal(1).label("returned"))
              .where(_task.c.instance_id == bindparam("instance_id"), _task.c.bpmn_id == bindparam("bpmn_id"),
                     _task.c.status == "completed", _task.c.completed_by_id.is_not(None))
              .order_by(_task.c.id.desc()).limit(1).subquery())
# who hears of a new task, in one query: who last did this step (it came back), else the role's holders
_NEW_TASK_READERS = {agency: union_all(select(_LAST_DOER), _holders(literal(0), agency=agency))
                     for agency in (False, True)}
_INSERT = insert(Notification.__table__)


def text(kind: str, params: dict | None, lang: str = "th", message: str = "") -> str:
    if kind == "message":
        return message or (params or {}).get("text", "")
    return render(f"notify_{kind}", lang, **(params or {}))


def users_with_role(session: Session, role: str, agency_id: int | None) -> list[int]:
    return list(session.connection().scalars(_HOLDERS[role in AGENCY_ROLES], {"role": role, "agency_id": agency_id}))


def add(session: Session, user_ids, kind: str, now: datetime, *, instance_id: int | None = None,
        task_id: int | None = None, params: dict | None = None, message: str = "") -> int:
    """One notification per user (duplicates dropped), inserted at once; the number written."""
    rows = [dict(user_id=user_id, instance_id=instance_id, task_id=task_id, kind=kind, params=params or {},
                 message=message[:4000], created_at=now, email_status="pending", email_attempts=0,
                 email_error="", next_attempt_at=now)
            for user_id in dict.fromkeys(user_ids)]
    if rows:
        session.flush()  # the instance or task it names may still be waiting in the session
        session.connection().execute(_INSERT, rows)
    return len(rows)


def task_params(instance: Instance, task: HumanTask) -> dict:
    return {"task": task.name, "service_process": instance.service_process, "fiscal_year": instance.fiscal_year}


def new_task(session: Session, instance: Instance, task: HumanTask, now: datetime) -> None:
    """A task has arrived: tell its role, or the person who last did this step if it came back."""
    readers = session.connection().execute(_NEW_TASK_READERS[task.role in AGENCY_ROLES], {
        "instance_id": instance.id, "bpmn_id": task.bpmn_id, "role": task.role, "agency_id": instance.agency_id,
    }).all()
    previous = [user_id for user_id, returned in readers if returned]
    params = task_params(instance, task)
    if previous:
        add(session, previous, "task_returned", now, instance_id=instance.id, task_id=task.id, params=params)
    else:
        add(session, [user_id for user_id, _ in readers], "task_arrived", now, instance_id=instance.id,
            task_id=task.id, params=params)


def task_deadline(session: Session, instance: Instance, task: HumanTask, kind: str, params: dict, now: datetime,
                  tz) -> int:
    """A reminder, clock warning or overdue escalation of an open task: to whoever claimed it or its
    role; an overdue task also goes to the agency's supervisors."""
    due = task.due_at.astimezone(tz)
    full = {**task_params(instance, task), **params, "due": f"{due:%d/%m}/{due.year + 543}"}
    users = [task.assignee_id] if task.assignee_id else users_with_role(session, task.role, instance.agency_id)
    if kind == "overdue" and task.role != "supervisor":
        users += users_with_role(session, "supervisor", instance.agency_id)
    return add(session, users, kind, now, instance_id=instance.id, task_id=task.id, params=full)
