"""Read model of the inbox: a user's open tasks and the unclaimed tasks of their roles.

Never deserializes a workflow: everything comes from the materialized ``human_task`` table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select, union_all

from .. import calendar_context
from ..actors import Actor
from ..context import Context
from ..models import Agency, HumanTask, Instance, ProcessDefinition, utcnow
from ..roles import ADMIN, AGENCY_ROLES, EVALUATOR

SORTS = ("due", "received", "name")
SCOPES = ("all", "mine", "pool")
MAX_PAGE = 200


@dataclass(frozen=True)
class TaskRow:
    id: int
    instance_id: int
    name: str
    role: str
    status: str
    assignee_id: int | None
    created_at: datetime
    due_at: datetime | None
    agency_name: str
    service_process: str
    fiscal_year: int
    process_name: str
    working_days_left: int | None = None
    urgency: str = ""  # "overdue" | "due-soon" | ""


DUE_SOON_WORKING_DAYS = 3


@dataclass(frozen=True)
class Filters:
    scope: str = "all"  # all | mine (claimed by me) | pool (unclaimed, my roles)
    process_id: str = ""
    stage: str = ""  # task name
    fiscal_year: int | None = None
    search: str = ""
    overdue_only: bool = False
    sort: str = "due"

    def normalized(self) -> Filters:
        return Filters(
            scope=self.scope if self.scope in SCOPES else "all", process_id=(self.process_id or "")[:255],
            stage=(self.stage or "")[:255], fiscal_year=self.fiscal_year, search=(self.search or "").strip()[:100],
            overdue_only=bool(self.overdue_only), sort=self.sort if self.sort in SORTS else "due")


@dataclass(frozen=True)
class Options:
    processes: list[tuple[str, str]] = field(default_factory=list)  # (process id, name)
    stages: list[str] = field(default_factory=list)
    fiscal_years: list[int] = field(default_factory=list)


def _pool_conditions(actor: Actor):
    """Unclaimed open tasks the actor's roles may take."""
    agency_roles = [r for r in actor.roles if r in AGENCY_ROLES]
    wide_roles = [r for r in actor.roles if r not in AGENCY_ROLES]
    parts = []
    if agency_roles and actor.agency_id is not None:
        parts.append(and_(HumanTask.agency_id == actor.agency_id, HumanTask.role.in_(agency_roles)))
    if actor.evaluates_units and not actor.has(ADMIN):  # a department evaluator: its own units only
        wide_roles.remove(EVALUATOR)
        if actor.oversees:
            parts.append(and_(HumanTask.agency_id.in_(sorted(actor.oversees)), HumanTask.role == EVALUATOR))
    if wide_roles:
        parts.append(HumanTask.role.in_(wide_roles))
    return parts


def _visible(actor: Actor, scope: str = "all"):
    """One select per index-friendly condition, for a UNION ALL: mine, then each pool."""
    parts = []
    if actor.user_id is not None and scope in ("all", "mine"):
        parts.append(HumanTask.assignee_id == actor.user_id)
    if scope in ("all", "pool"):
        parts += [and_(cond, HumanTask.assignee_id.is_(None)) for cond in _pool_conditions(actor)]
    return parts


def _ids(actor: Actor, f: Filters, now: datetime):
    needs_instance = bool(f.process_id or f.fiscal_year or f.search)
    selects = []
    for cond in _visible(actor, f.scope):
        stmt = select(HumanTask.id.label("id"), HumanTask.due_at.label("due_at"),
                      HumanTask.created_at.label("created_at"), HumanTask.name.label("name")) \
            .where(cond, HumanTask.status == "open")
        if needs_instance:
            stmt = stmt.join(Instance, Instance.id == HumanTask.instance_id)
        if f.process_id:
            stmt = stmt.join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id) \
                .where(ProcessDefinition.process_id == f.process_id)
        if f.fiscal_year:
            stmt = stmt.where(Instance.fiscal_year == f.fiscal_year)
        if f.stage:
            stmt = stmt.where(HumanTask.name == f.stage)
        if f.overdue_only:
            stmt = stmt.where(HumanTask.due_at < now)
        if f.search:
            pattern = "%" + f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.join(Agency, Agency.id == HumanTask.agency_id).where(or_(
                HumanTask.name.ilike(pattern, escape="\\"), Instance.service_process.ilike(pattern, escape="\\"),
                Agency.name.ilike(pattern, escape="\\")))
        selects.append(stmt)
    return union_all(*selects).subquery() if selects else None


def list_tasks(ctx: Context, actor: Actor, limit: int = 50, offset: int = 0, filters: Filters | None = None,
               now: datetime | None = None) -> tuple[list[TaskRow], int]:
    """A page of the inbox and the number of tasks matching the filters."""
    f = (filters or Filters()).normalized()
    limit, offset = max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))
    ids = _ids(actor, f, now or utcnow())
    if ids is None:
        return [], 0
    order = {
        "due": (ids.c.due_at.is_(None), ids.c.due_at, ids.c.id),
        "received": (ids.c.created_at.desc(), ids.c.id.desc()),
        "name": (ids.c.name, ids.c.due_at.is_(None), ids.c.due_at, ids.c.id),
    }[f.sort]
    now = now or utcnow()
    with ctx.uow(write=False) as uow:
        s = uow.session
        total = s.scalar(select(func.count()).select_from(ids))
        page = select(ids.c.id, func.row_number().over(order_by=order).label("pos")) \
            .order_by(*order).limit(limit).offset(offset).subquery()
        rows = s.execute(
            select(HumanTask, Agency.name, Instance.service_process, Instance.fiscal_year, ProcessDefinition.name)
            .join(page, page.c.id == HumanTask.id)
            .join(Instance, Instance.id == HumanTask.instance_id)
            .join(Agency, Agency.id == HumanTask.agency_id)
            .join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
            .order_by(page.c.pos)).all()
        cal = calendar_context.for_session(s, ctx.settings.timezone)
        out = []
        for t, agency, sp, fy, pname in rows:
            left, urgency = _urgency(cal, t.due_at, now)
            out.append(TaskRow(t.id, t.instance_id, t.name, t.role, t.status, t.assignee_id, t.created_at, t.due_at,
                               agency, sp, fy, pname, left, urgency))
    return out, total


def _urgency(cal, due_at, now) -> tuple[int | None, str]:
    if due_at is None:
        return None, ""
    left = cal.calendar.working_days_between(now.astimezone(cal.tz).date(), due_at.astimezone(cal.tz).date())
    if due_at < now:
        return left, "overdue"
    return left, "due-soon" if left <= DUE_SOON_WORKING_DAYS else ""


def count(ctx: Context, actor: Actor) -> int:
    """Open tasks waiting for the actor (claimed by them or unclaimed for their roles): the nav badge."""
    ids = _ids(actor, Filters(), utcnow())
    if ids is None:
        return 0
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(ids))


def options(ctx: Context, actor: Actor) -> Options:
    """Values for the inbox filters, from the tasks the actor can see."""
    ids = _ids(actor, Filters(), utcnow())
    if ids is None:
        return Options()
    with ctx.uow(write=False) as uow:
        s = uow.session
        stages = sorted(set(s.scalars(select(ids.c.name).distinct())))
        processes = s.execute(select(ProcessDefinition.process_id, ProcessDefinition.name)
                              .order_by(ProcessDefinition.name)).all()
        years = sorted(set(s.scalars(select(Instance.fiscal_year).distinct())), reverse=True)
    return Options([(p, n) for p, n in processes], stages, years)
