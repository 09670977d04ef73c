"""Notifications: who hears about what, rendered in the reader's language, e-mailed from an outbox.

A notification row is written in the same transaction as the change it reports. E-mail is sent
later by the scheduler process (engine.mailer), so a mail server that is down never blocks anyone.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .messages import render
from .models import HumanTask, Instance, Notification, User, UserRole
from .roles import AGENCY_ROLES


def text(kind: str, params: dict | None, lang: str = "th", message: str = "") -> str:
    if kind == "message":
        return message or (params or {}).get("text", "")
    return render(f"notify_{kind}", lang, **(params or {}))


def users_with_role(session: Session, role: str, agency_id: int | None) -> list[int]:
    stmt = select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == role, User.active.is_(True))
    if role in AGENCY_ROLES:
        stmt = stmt.where(User.agency_id == agency_id)
    return list(session.scalars(stmt))


def add(session: Session, user_ids, kind: str, now: datetime, *, instance_id: int | None = None,
        task_id: int | None = None, params: dict | None = None, message: str = "") -> int:
    count = 0
    for user_id in dict.fromkeys(user_ids):
        session.add(Notification(user_id=user_id, instance_id=instance_id, task_id=task_id, kind=kind,
                                 params=params or {}, message=message[:4000], created_at=now,
                                 email_status="pending", email_attempts=0, email_error="", next_attempt_at=now))
        count += 1
    return count


def task_params(instance: Instance, task: HumanTask) -> dict:
    return {"task": task.name, "service_process": instance.service_process, "fiscal_year": instance.fiscal_year}


def new_task(session: Session, instance: Instance, task: HumanTask, now: datetime) -> None:
    """A task has arrived: tell its role, or the person who last did this step if it came back."""
    previous = session.scalar(select(HumanTask.completed_by_id).where(
        HumanTask.instance_id == instance.id, HumanTask.bpmn_id == task.bpmn_id,
        HumanTask.status == "completed").order_by(HumanTask.id.desc()).limit(1))
    params = task_params(instance, task)
    if previous is not None:
        add(session, [previous], "task_returned", now, instance_id=instance.id, task_id=task.id, params=params)
    else:
        add(session, users_with_role(session, task.role, instance.agency_id), "task_arrived", now,
            instance_id=instance.id, task_id=task.id, params=params)


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
