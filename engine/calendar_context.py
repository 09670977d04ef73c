"""What timer expressions and the deadline engine know about time while a use case runs: the
working-day calendar (with administrators' changes), the reporting calendar, the agency's office
hours, and "now" (which is the moment a timer was set when due dates are recomputed)."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import reporting
from .clock import utcnow
from .workcalendar import WorkCalendar, parse_hhmm

if TYPE_CHECKING:
    from sqlalchemy.orm import Session




@dataclass
class CalendarContext:
    calendar_loader: Callable[[], WorkCalendar] = WorkCalendar
    milestone: Callable[..., date] = reporting.default_date       # (fiscal year, code, calendar) -> date
    shift_rule: Callable[..., str] = lambda fy, calendar: reporting.spec(calendar).shift
    now: Callable[[], datetime] = utcnow
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Bangkok"))
    office_hours_loader: Callable[[], tuple[time, time]] = lambda: (time(8, 30), time(16, 30))
    _calendar: WorkCalendar | None = field(default=None, repr=False)
    _office_hours: tuple[time, time] | None = field(default=None, repr=False)

    @property
    def office_opens(self) -> time:
        return self._hours()[0]

    @property
    def office_closes(self) -> time:
        return self._hours()[1]

    def due_day(self, fiscal_year: int, code: str, calendar: str | None = None) -> date:
        """A calendar's due date, moved off a non-working day by the rule stored with the calendar."""
        day = self.milestone(int(fiscal_year), str(code), calendar)
        if reporting.spec(calendar).milestone(code).kind != "due":
            return day
        return reporting.shifted(day, self.shift_rule(int(fiscal_year), calendar), self.calendar.is_working_day)

    def end_of(self, day: date) -> datetime:
        """The last moment of ``day`` in the configured time zone."""
        return datetime.combine(day, time(23, 59, 59), self.tz)

    def _hours(self) -> tuple[time, time]:
        if self._office_hours is None:
            self._office_hours = self.office_hours_loader()
        return self._office_hours

    @property
    def calendar(self) -> WorkCalendar:
        """Loaded on first use: most steps never need working-day arithmetic."""
        if self._calendar is None:
            self._calendar = self.calendar_loader()
        return self._calendar


_CURRENT: ContextVar[CalendarContext | None] = ContextVar("slaflow_calendar", default=None)


def current() -> CalendarContext:
    return _CURRENT.get() or CalendarContext()


_SESSION_KEY = "slaflow_work_calendar"


#: database URL -> (revision token, calendar): the calendar as last read, kept while its token stays
_KEPT: dict[str, tuple[str, WorkCalendar]] = {}


def load_calendar(session: Session, fresh: bool = False) -> WorkCalendar:
    """The working-day calendar as the database has it, once per unit of work (a step computes lateness,
    due dates and reminders from the same calendar). The days are read again only when the calendar's
    revision token has changed (every change of a day changes it, by trigger, and a token is random, so
    a change rolled back never matches a later one)."""
    from sqlalchemy import select

    from .models import CalendarDay

    if not fresh and _SESSION_KEY in session.info:
        return session.info[_SESSION_KEY]
    if session.new or session.dirty or session.deleted:
        session.flush()  # as an ORM query would: a day changed in this unit is in the table, its token moved
    conn = session.connection()
    token = conn.execute(_token_query()).scalar() or ""
    where = str(conn.engine.url)
    kept = _KEPT.get(where)
    if kept is not None and kept[0] == token and token and not fresh:
        calendar = kept[1]
    else:
        calendar = WorkCalendar(dict(session.execute(select(CalendarDay.day, CalendarDay.working)).all()))
        if token:
            _KEPT[where] = (token, calendar)
    session.info[_SESSION_KEY] = calendar
    _forget_on_change()
    return calendar


@lru_cache(maxsize=1)
def _token_query():
    """Built once: a Core statement on the connection costs a fraction of an ORM query."""
    from sqlalchemy import select

    from .models import CalendarRevision

    table = CalendarRevision.__table__
    return select(table.c.token).where(table.c.id == 1)


@lru_cache(maxsize=1)
def _forget_on_change() -> None:
    """Once: a unit of work that changes a calendar day reads the calendar again afterwards."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession

    from .models import CalendarDay

    @event.listens_for(OrmSession, "before_flush")
    def _calendar_changed(session, flush_context, instances):
        if _SESSION_KEY in session.info and any(
                isinstance(obj, CalendarDay) for obj in (*session.new, *session.dirty, *session.deleted)):
            session.info.pop(_SESSION_KEY, None)


def for_session(session: Session, tz_name: str, agency_id: int | None = None,
                now: datetime | None = None) -> CalendarContext:
    from sqlalchemy import select

    from .models import Agency, ReportingCalendarRule, ReportingMilestone

    cache: dict[tuple, object] = {}

    def milestone(fiscal_year: int, code: str, calendar: str | None = None) -> date:
        calendar = reporting.spec(calendar).code
        key = (int(fiscal_year), code, calendar)
        if key not in cache:
            reporting.spec(calendar).milestone(code)  # an unknown date is an error, not a default
            row = session.scalar(select(ReportingMilestone.due_date).where(
                ReportingMilestone.fiscal_year == key[0], ReportingMilestone.calendar == calendar,
                ReportingMilestone.code == code))
            cache[key] = row or reporting.default_date(*key)
        return cache[key]

    def shift_rule(fiscal_year: int, calendar: str | None = None) -> str:
        calendar = reporting.spec(calendar).code
        key = ("shift", int(fiscal_year), calendar)
        if key not in cache:
            row = session.scalar(select(ReportingCalendarRule.shift).where(
                ReportingCalendarRule.fiscal_year == key[1], ReportingCalendarRule.calendar == calendar))
            cache[key] = row or reporting.spec(calendar).shift
        return cache[key]

    def office_hours() -> tuple[time, time]:
        agency = session.get(Agency, agency_id) if agency_id else None
        if agency is None:
            return time(8, 30), time(16, 30)
        return parse_hhmm(agency.office_opens), parse_hhmm(agency.office_closes)

    return CalendarContext(
        calendar_loader=lambda: load_calendar(session), milestone=milestone, shift_rule=shift_rule,
        now=(lambda: now) if now else utcnow, tz=_zone(tz_name), office_hours_loader=office_hours)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@contextmanager
def using(context: CalendarContext):
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)
