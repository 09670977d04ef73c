"""What timer expressions and the deadline engine know about time while a use case runs: the
working-day calendar (with administrators' changes), the reporting calendar, the agency's office
hours, and "now" (which is the moment a timer was set when due dates are recomputed)."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import reporting
from .models import Agency, CalendarDay, ReportingMilestone, utcnow
from .workcalendar import WorkCalendar, parse_hhmm


@dataclass
class CalendarContext:
    calendar_loader: Callable[[], WorkCalendar] = WorkCalendar
    milestone: Callable[[int, str], date] = reporting.default_date
    now: Callable[[], datetime] = utcnow
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Bangkok"))
    office_opens: time = time(8, 30)
    office_closes: time = time(16, 30)
    _calendar: WorkCalendar | None = field(default=None, repr=False)

    @property
    def calendar(self) -> WorkCalendar:
        """Loaded on first use: most steps never need working-day arithmetic."""
        if self._calendar is None:
            self._calendar = self.calendar_loader()
        return self._calendar


_CURRENT: ContextVar[CalendarContext | None] = ContextVar("slaflow_calendar", default=None)


def current() -> CalendarContext:
    return _CURRENT.get() or CalendarContext()


def load_calendar(session: Session) -> WorkCalendar:
    return WorkCalendar({row.day: row.working for row in session.scalars(select(CalendarDay))})


def for_session(session: Session, tz_name: str, agency_id: int | None = None,
                now: datetime | None = None) -> CalendarContext:
    cache: dict[tuple[int, str], date] = {}

    def milestone(fiscal_year: int, code: str) -> date:
        key = (int(fiscal_year), code)
        if key not in cache:
            row = session.scalar(select(ReportingMilestone.due_date).where(
                ReportingMilestone.fiscal_year == key[0], ReportingMilestone.code == code))
            cache[key] = row or reporting.default_date(*key)
        return cache[key]

    agency = session.get(Agency, agency_id) if agency_id else None
    return CalendarContext(
        calendar_loader=lambda: load_calendar(session), milestone=milestone,
        now=(lambda: now) if now else utcnow, tz=ZoneInfo(tz_name),
        office_opens=parse_hhmm(agency.office_opens) if agency else time(8, 30),
        office_closes=parse_hhmm(agency.office_closes) if agency else time(16, 30))


@contextmanager
def using(context: CalendarContext):
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)
