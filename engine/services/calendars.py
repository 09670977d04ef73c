"""Calendar administration: working-day overrides (administrators) and the reporting calendar (central
office). A change queues, in its own transaction, the recompute of every open due date computed from the
calendars (`recompute`, run by the scheduler); the functions that change a calendar return that job's id."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import audit, reporting
from ..actors import Actor, require
from ..calendar_context import load_calendar
from ..context import Context
from ..errors import InvalidInput, NotFound
from ..models import CalendarDay, ReportingCalendarRule, ReportingMilestone, utcnow
from ..roles import CENTRAL, EVALUATOR
from ..workcalendar import WorkCalendar, unconfirmed_holidays
from . import recompute


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    reason: str
    source: str  # "override" | "holiday"


def to_confirm(year: int) -> tuple[str, ...]:
    """Holidays announced year by year that the official data does not have for ``year`` (C.E.)."""
    return unconfirmed_holidays(year)


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
        job = recompute.queue(uow.session, actor, f"calendar {day.isoformat()}", utcnow())
        uow.commit()
    return job


def remove_day(ctx: Context, actor: Actor, day: date) -> int:
    require(actor, what="change the working-day calendar")
    with ctx.uow() as uow:
        row = uow.session.get(CalendarDay, day)
        if row is None:
            raise NotFound("no change on that day")
        audit.record(uow.session, actor, "calendar.remove",
                     before={"day": day.isoformat(), "working": row.working, "reason": row.reason})
        uow.session.delete(row)
        job = recompute.queue(uow.session, actor, f"calendar {day.isoformat()} removed", utcnow())
        uow.commit()
    return job


@dataclass(frozen=True)
class CalendarDate:
    code: str
    title: str
    title_en: str
    kind: str            # due | opens | event
    source: str
    default: date
    value: date          # as the evaluator set it, else the default
    due: date            # where a due date lands after the non-working-day rule
    saved: bool


@dataclass(frozen=True)
class ReportingCalendar:
    code: str
    title: str
    title_en: str
    source: str
    note: str
    shift: str           # the rule in force this fiscal year
    default_shift: str
    shift_confirmed: bool
    dates: list[CalendarDate]
    owner: str


def reporting_calendars(ctx: Context, fiscal_year: int) -> list[ReportingCalendar]:
    """Every evaluator's calendar of a fiscal year: saved dates, defaults for the rest, and where each
    due date lands after the rule for non-working days."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        saved = {(r.calendar, r.code): r.due_date for r in s.scalars(
            select(ReportingMilestone).where(ReportingMilestone.fiscal_year == fiscal_year))}
        rules = {r.calendar: r.shift for r in s.scalars(
            select(ReportingCalendarRule).where(ReportingCalendarRule.fiscal_year == fiscal_year))}
        cal = load_calendar(s)
    out = []
    for spec in reporting.calendars().values():
        rule = rules.get(spec.code, spec.shift)
        dates = []
        for m in spec.milestones:
            value = saved.get((spec.code, m.code)) or m.default(fiscal_year)
            due = reporting.shifted(value, rule, cal.is_working_day) if m.kind == "due" else value
            dates.append(CalendarDate(m.code, m.title, m.title_en, m.kind, m.source, m.default(fiscal_year), value,
                                      due, (spec.code, m.code) in saved))
        out.append(ReportingCalendar(spec.code, spec.title, spec.title_en, spec.source, spec.note, rule, spec.shift,
                                     spec.code in rules, dates, spec.owner))
    return out


def milestones(ctx: Context, fiscal_year: int, calendar: str | None = None) -> dict[str, date]:
    """One calendar's dates of a fiscal year (saved, else the defaults)."""
    code = reporting.spec(calendar).code
    found = next(c for c in reporting_calendars(ctx, fiscal_year) if c.code == code)
    return {d.code: d.value for d in found.dates}


def set_milestone(ctx: Context, actor: Actor, fiscal_year: int, code: str, due: date,
                  calendar: str | None = None) -> int:
    return set_milestones(ctx, actor, fiscal_year, {code: due}, calendar)


def set_milestones(ctx: Context, actor: Actor, fiscal_year: int, dates: dict[str, date],
                   calendar: str | None = None, shift: str | None = None) -> int:
    """Save a calendar's changed dates (and its rule for non-working days) and queue the move of the due
    dates they set, in one transaction. Returns the recompute job's id, 0 when nothing changed."""
    require(actor, CENTRAL, EVALUATOR, what="edit the reporting calendar")
    try:
        spec = reporting.spec(calendar)
    except reporting.UnknownCalendar:
        raise InvalidInput("unknown reporting calendar", field="calendar") from None
    require(actor, spec.owner, what="edit this evaluator's reporting calendar")
    start, end = date(fiscal_year - 544, 10, 1), date(fiscal_year - 542, 12, 31)
    for code, due in dates.items():
        if code not in spec.codes:
            raise InvalidInput("unknown milestone", field="code")
        if not start <= due <= end:
            raise InvalidInput("the date is outside the fiscal year and its reporting period", field=code)
    if shift is not None and shift not in reporting.SHIFTS:
        raise InvalidInput("choose the previous or the next working day", field="shift")
    current = next(c for c in reporting_calendars(ctx, fiscal_year) if c.code == spec.code)
    values = {d.code: d.value for d in current.dates}
    changed = {code: due for code, due in dates.items() if values[code] != due}
    new_shift = shift if shift is not None and (shift != current.shift or not current.shift_confirmed) else None
    if not changed and new_shift is None:
        return 0
    with ctx.uow() as uow:
        s = uow.session
        for code, due in changed.items():
            row = s.scalar(select(ReportingMilestone).where(
                ReportingMilestone.fiscal_year == fiscal_year, ReportingMilestone.calendar == spec.code,
                ReportingMilestone.code == code))
            if row is None:
                s.add(ReportingMilestone(fiscal_year=fiscal_year, calendar=spec.code, code=code, due_date=due,
                                         updated_by_id=actor.user_id, updated_at=utcnow()))
            else:
                row.due_date, row.updated_by_id, row.updated_at = due, actor.user_id, utcnow()
        if new_shift is not None:
            rule = s.get(ReportingCalendarRule, (fiscal_year, spec.code))
            if rule is None:
                s.add(ReportingCalendarRule(fiscal_year=fiscal_year, calendar=spec.code, shift=new_shift,
                                            updated_by_id=actor.user_id, updated_at=utcnow()))
            else:
                rule.shift, rule.updated_by_id, rule.updated_at = new_shift, actor.user_id, utcnow()
        before = {c: values[c].isoformat() for c in changed}
        after = {c: d.isoformat() for c, d in changed.items()}
        if new_shift is not None:
            before["shift"], after["shift"] = current.shift, new_shift
        audit.record(s, actor, "milestone.set", before={"fiscal_year": fiscal_year, "calendar": spec.code, **before},
                     after={"fiscal_year": fiscal_year, "calendar": spec.code, **after})
        job = recompute.queue(s, actor, f"reporting calendar {spec.code} {fiscal_year}", utcnow())
        uow.commit()
    return job
