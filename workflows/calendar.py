"""Helpers that timer expressions call. Each returns ISO 8601 text with an offset.

They read the working-day calendar, the reporting calendar and the clock from
``engine.calendar_context``, so administrators' calendar changes apply, and a due date can be
recomputed from the moment its timer was set.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from engine.calendar_context import current
from engine.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start
from engine.reporting import opens_code, report_code

__all__ = ["fiscal_year_of", "fiscal_year_start", "fiscal_year_end", "report_due", "round_opens",
           "milestone_due", "working_days_from_now", "working_hours_from_now", "days_from_now", "HELPERS"]


def end_of_day_iso(day: date) -> str:
    """The last moment of ``day`` in the configured time zone."""
    return current().end_of(day).isoformat()


def milestone_due(fy_be: int, code: str, calendar: str | None = None) -> str:
    """Due date (end of day) of a reporting-calendar date, e.g. ``milestone_due(fiscal_year, 'forms_a_e')``,
    moved off a non-working day by the calendar's rule; ``calendar`` names the evaluator's calendar
    (the first one shipped when omitted)."""
    return end_of_day_iso(current().due_day(int(fy_be), str(code), calendar))


def report_due(fy_be: int, months: int, calendar: str | None = None) -> str:
    """Due date of the 6-, 9- or 12-month report of a fiscal year (B.E.) in ``calendar``."""
    return milestone_due(fy_be, report_code(int(months)), calendar)


def round_opens(fy_be: int, months: int, calendar: str | None = None) -> str:
    """When a reporting round opens (calendar data: by default the first day of the round's last month)."""
    day = current().milestone(int(fy_be), opens_code(int(months)), calendar)
    return datetime.combine(day, time(0, 0), current().tz).isoformat()


def working_days_from_now(days: int) -> str:
    """End of the n-th working day after today."""
    ctx = current()
    today = ctx.now().astimezone(ctx.tz).date()
    return end_of_day_iso(ctx.calendar.add_working_days(today, int(days)))


def working_hours_from_now(hours: float) -> str:
    """``hours`` of the agency's office time from now."""
    ctx = current()
    return ctx.calendar.add_working_hours(ctx.now(), float(hours), ctx.office_opens, ctx.office_closes,
                                          ctx.tz).isoformat()


def days_from_now(days: int) -> str:
    return (current().now() + timedelta(days=int(days))).isoformat()


HELPERS = {
    "report_due": report_due,
    "round_opens": round_opens,
    "milestone_due": milestone_due,
    "working_days_from_now": working_days_from_now,
    "working_hours_from_now": working_hours_from_now,
    "days_from_now": days_from_now,
    "fiscal_year_of": fiscal_year_of,
}
