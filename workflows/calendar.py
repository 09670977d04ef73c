"""Fiscal-year and date helpers that timer expressions call (results are ISO 8601 text).

The full Thai working-day calendar arrives with the deadline engine; these helpers are pure.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from engine.fiscal import BE_OFFSET, fiscal_year_end, fiscal_year_of, fiscal_year_start

BANGKOK = ZoneInfo("Asia/Bangkok")
__all__ = ["fiscal_year_of", "fiscal_year_start", "fiscal_year_end", "round_due_date", "report_due", "HELPERS"]


ROUND_DUE = {6: (4, 10), 9: (7, 10), 12: (10, 9)}  # months -> (month, day) in the C.E. year the FY ends


def round_due_date(fy_be: int, months: int) -> date:
    """Default due date of the 6-, 9- or 12-month report of fiscal year ``fy_be`` (DOMAIN.md §4)."""
    if months not in ROUND_DUE:
        raise ValueError("reporting rounds are 6, 9 or 12 months")
    month, day = ROUND_DUE[months]
    return date(fy_be - BE_OFFSET, month, day)


def end_of_day_iso(day: date) -> str:
    """The last moment of ``day`` in Bangkok, as ISO 8601 with offset."""
    return datetime.combine(day, time(23, 59, 59), BANGKOK).isoformat()


def report_due(fy_be: int, months: int) -> str:
    return end_of_day_iso(round_due_date(int(fy_be), int(months)))


ROUND_OPENS = {6: 3, 9: 6, 12: 9}  # months -> month the round's report opens (its last month)


def round_opens(fy_be: int, months: int) -> str:
    """Start of the last month of a reporting round (1 Mar / 1 Jun / 1 Sep), Bangkok time, ISO 8601."""
    if months not in ROUND_OPENS:
        raise ValueError("reporting rounds are 6, 9 or 12 months")
    return datetime.combine(date(int(fy_be) - BE_OFFSET, ROUND_OPENS[months], 1), time(0, 0), BANGKOK).isoformat()


def days_from_now(days: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=int(days))).isoformat()


HELPERS = {
    "report_due": report_due,
    "round_opens": round_opens,
    "days_from_now": days_from_now,
    "fiscal_year_of": fiscal_year_of,
}
