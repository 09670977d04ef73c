"""Reminders for open tasks: once when a task is due soon, once when it is overdue (to the person who
claimed it, or to its role, and the agency's supervisors when overdue). Idempotent: each reminder
is recorded as a notification, and a task never gets the same reminder twice."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from .. import notifications
from ..context import Context
from ..models import HumanTask, Instance, Notification, utcnow
from ..workdays import working_days_between

DUE_SOON_WORKING_DAYS = 3
BATCH = 500


@dataclass
class ReminderResult:
    due_soon: int = 0
    overdue: int = 0


def _candidates(ctx: Context, kind: str, now: datetime, horizon: datetime | None) -> list[int]:
    sent = aliased(Notification)
    cond = [HumanTask.status == "open", HumanTask.due_at.is_not(None)]
    cond.append(HumanTask.due_at < now if kind == "overdue" else and_(HumanTask.due_at >= now,
                                                                       HumanTask.due_at <= horizon))
    already = exists().where(sent.task_id == HumanTask.id, sent.kind == kind)
    with ctx.uow(write=False) as uow:
        return list(uow.session.scalars(select(HumanTask.id).where(*cond, ~already)
                                        .order_by(HumanTask.due_at).limit(BATCH)))


def send(ctx: Context, now: datetime | None = None) -> ReminderResult:
    now = now or utcnow()
    tz = ZoneInfo(ctx.settings.timezone)
    result = ReminderResult()
    # a generous calendar window; the working-day rule is applied per task below
    horizon = now + timedelta(days=14)
    for kind in ("overdue", "due_soon"):
        for task_id in _candidates(ctx, kind, now, horizon):
            with ctx.uow() as uow:
                s = uow.session
                task = s.get(HumanTask, task_id)
                if task is None or task.status != "open" or task.due_at is None:
                    continue
                if kind == "due_soon" and working_days_between(now.astimezone(tz).date(),
                                                               task.due_at.astimezone(tz).date()) > \
                        DUE_SOON_WORKING_DAYS:
                    continue
                instance = s.get(Instance, task.instance_id)
                due = task.due_at.astimezone(tz)
                params = {**notifications.task_params(instance, task), "due": f"{due:%d/%m}/{due.year + 543}"}
                users = [task.assignee_id] if task.assignee_id else \
                    notifications.users_with_role(s, task.role, instance.agency_id)
                if kind == "overdue" and task.role != "supervisor":
                    users += notifications.users_with_role(s, "supervisor", instance.agency_id)
                notifications.add(s, users, kind, now, instance_id=instance.id, task_id=task.id, params=params)
                uow.commit()
                setattr(result, kind, getattr(result, kind) + 1)
    return result
