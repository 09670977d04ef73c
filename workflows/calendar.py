"""Helpers that timer expressions call. Each returns ISO 8601 text with an offset.

They read the working-day calendar, the reporting calendar and the clock from
``engine.calendar_context``, so administrators' calendar changes apply, and a due date can be
recomputed from the moment its timer was set.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from engine.calendar_context import current
from engine.fiscal import BE_OFFSET, fiscal_year_end, fiscal_year_of, fiscal_year_start
from engine.reporting import report_code

__all__ = ["fiscal_year_of", "fiscal_year_start", "fiscal_year_end", "report_due", "round_opens",
           "milestone_due", "working_days_from_now", "working_hours_from_now", "days_from_now", "HELPERS"]

ROUND_OPENS = {6: 3, 9: 6, 12: 9}  # months -> month the round's report opens (its last month)


def end_of_day_iso(day: date) -> str:
    """The last moment of ``day`` in the configured time zone."""
    return datetime.combine(day, time(23, 59, 59), current().tz).isoformat()


def milestone_due(fy_be: int, code: str) -> str:
    """Due date of a reporting-calendar milestone, moved to the next working day when it is not one."""
    ctx = current()
    return end_of_day_iso(ctx.calendar.next_working_day(ctx.milestone(int(fy_be), str(code))))


def report_due(fy_be: int, months: int) -> str:
    """Due date of the 6-, 9- or 12-month report of a fiscal year (B.E.)."""
    return milestone_due(fy_be, report_code(int(months)))


def round_opens(fy_be: int, months: int) -> str:
    """Start of the last month of a reporting round (1 Mar / 1 Jun / 1 Sep), local time."""
    if int(months) not in ROUND_OPENS:
        raise ValueError("reporting rounds are 6, 9 or 12 months")
    day = date(int(fy_be) - BE_OFFSET, ROUND_OPENS[int(months)], 1)
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
