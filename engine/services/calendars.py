"""Calendar administration: working-day overrides (administrators) and the reporting calendar (central
office). A change recomputes every open due date that was computed from the calendars."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from .. import audit, reporting
from ..actors import Actor, require
from ..context import Context
from ..errors import InvalidInput, NotFound
from ..models import MILESTONES, CalendarDay, Deadline, ReportingMilestone, utcnow
from ..roles import CENTRAL
from ..workcalendar import WorkCalendar
from .state import load_instance, load_workflow, save_workflow


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    reason: str
    source: str  # "override" | "holiday"


def year_view(ctx: Context, year: int) -> list[DayInfo]:
    """Non-working weekdays from the package and every administrator's change, in one year (C.E.)."""
    with ctx.uow(write=False) as uow:
        overrides = {row.day: row for row in uow.session.scalars(
            select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)))}
    plain = WorkCalendar()
    out = []
    day = date(year, 1, 1)
    while day.year == year:
        if day in overrides:
            row = overrides[day]
            out.append(DayInfo(day, row.working, row.reason, "override"))
        elif plain.holiday_name(day):
            out.append(DayInfo(day, False, plain.holiday_name(day), "holiday"))
        day = date.fromordinal(day.toordinal() + 1)
    return out


def set_day(ctx: Context, actor: Actor, day: date, working: bool, reason: str) -> int:
    require(actor, what="change the working-day calendar")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required", field="reason")
    with ctx.uow() as uow:
        row = uow.session.get(CalendarDay, day)
        before = {"working": row.working, "reason": row.reason} if row else None
        if row is None:
            row = CalendarDay(day=day, working=working, reason=reason[:500], created_by_id=actor.user_id,
                              created_at=utcnow())
            uow.session.add(row)
        else:
            row.working, row.reason = working, reason[:500]
        audit.record(uow.session, actor, "calendar.set", before=before,
                     after={"day": day.isoformat(), "working": working, "reason": reason})
        uow.commit()
    return recompute_due_dates(ctx, actor)


def remove_day(ctx: Context, actor: Actor, day: date) -> int:
    require(actor, what="change the working-day calendar")
    with ctx.uow() as uow:
        row = uow.session.get(CalendarDay, day)
        if row is None:
            raise NotFound("no change on that day")
        audit.record(uow.session, actor, "calendar.remove",
                     before={"day": day.isoformat(), "working": row.working, "reason": row.reason})
        uow.session.delete(row)
        uow.commit()
    return recompute_due_dates(ctx, actor)


def milestones(ctx: Context, fiscal_year: int) -> dict[str, date]:
    """The reporting calendar of a fiscal year: saved dates, defaults for the rest."""
    with ctx.uow(write=False) as uow:
        saved = {r.code: r.due_date for r in uow.session.scalars(
            select(ReportingMilestone).where(ReportingMilestone.fiscal_year == fiscal_year))}
    return {code: saved.get(code) or reporting.default_date(fiscal_year, code) for code in MILESTONES}


def set_milestone(ctx: Context, actor: Actor, fiscal_year: int, code: str, due: date) -> int:
    return set_milestones(ctx, actor, fiscal_year, {code: due})


def set_milestones(ctx: Context, actor: Actor, fiscal_year: int, dates: dict[str, date]) -> int:
    """Save changed reporting-calendar dates in one transaction, then move the due dates they set."""
    require(actor, CENTRAL, what="edit the reporting calendar")
    start, end = date(fiscal_year - 544, 10, 1), date(fiscal_year - 542, 12, 31)
    for code, due in dates.items():
        if code not in MILESTONES:
            raise InvalidInput("unknown milestone", field="code")
        if not start <= due <= end:
            raise InvalidInput("the date is outside the fiscal year and its reporting period", field=code)
    current = milestones(ctx, fiscal_year)
    changed = {code: due for code, due in dates.items() if current[code] != due}
    if not changed:
        return 0
    with ctx.uow() as uow:
        for code, due in changed.items():
            row = uow.session.scalar(select(ReportingMilestone).where(
                ReportingMilestone.fiscal_year == fiscal_year, ReportingMilestone.code == code))
            if row is None:
                uow.session.add(ReportingMilestone(fiscal_year=fiscal_year, code=code, due_date=due,
                                                   updated_by_id=actor.user_id, updated_at=utcnow()))
            else:
                row.due_date, row.updated_by_id, row.updated_at = due, actor.user_id, utcnow()
        audit.record(uow.session, actor, "milestone.set",
                     before={"fiscal_year": fiscal_year, **{c: current[c].isoformat() for c in changed}},
                     after={"fiscal_year": fiscal_year, **{c: d.isoformat() for c, d in changed.items()}})
        uow.commit()
    return recompute_due_dates(ctx, actor)


def recompute_due_dates(ctx: Context, actor: Actor, now: datetime | None = None) -> int:
    """Re-evaluate every pending timer's expression as of the moment it was set, with the calendars as
    they are now; move the ones that change (and the due dates, reminders and warnings of their
    tasks). One transaction per instance. Returns the number of instances changed."""
    from ..handler_context import running

    now = now or utcnow()
    with ctx.uow(write=False) as uow:
        instance_ids = sorted(set(uow.session.scalars(
            select(Deadline.instance_id).where(Deadline.kind == "timer", Deadline.status == "pending",
                                               Deadline.expression != ""))))
    changed = 0
    for instance_id in instance_ids:
        with ctx.uow() as uow:
            s = uow.session
            instance = load_instance(s, instance_id)
            if instance is None or instance.status not in ("running", "stalled"):
                continue
            rows = {d.spiff_task_id: d for d in s.scalars(select(Deadline).where(
                Deadline.instance_id == instance_id, Deadline.kind == "timer", Deadline.status == "pending"))}
            wf = load_workflow(ctx, instance)
            moved = {}
            for task in _timer_tasks(wf):
                row = rows.get(str(task.id))
                if row is None or not row.expression:
                    continue
                with running(s, instance, now, ctx.settings.timezone, clock=row.basis_at or now):
                    value = ctx.runtime.script_engine.evaluate(task, row.expression)
                if value != task._get_internal_data("event_value"):
                    task._set_internal_data(event_value=value)
                    moved[row.bpmn_id] = value
            if not moved:
                continue
            save_workflow(s, ctx, instance, wf, now)
            audit.record(s, actor, "deadline.recompute", agency_id=instance.agency_id, instance_id=instance.id,
                         after=moved)
            uow.commit()
            changed += 1
    return changed


def _timer_tasks(wf):
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition

    tasks = list(wf.event_manager.tasks.values())
    for sub in wf.subprocesses.values():
        tasks += list(sub.event_manager.tasks.values())
    return [t for t in tasks if isinstance(t.task_spec.event_definition, TimeDateEventDefinition)]

