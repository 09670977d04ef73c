"""Thai government working days (weekends and the public and government holidays of ``holidays``).

The deadline engine extends this with days administrators add or remove; here: the fixed calendar.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    th = holidays.country_holidays("TH", years=year, categories=("public", "government"))
    return frozenset(th.keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end == start:
        return 0
    sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
    count, day = 0, lo + timedelta(days=1)
    while day <= hi:
        count += is_working_day(day)
        day += timedelta(days=1)
    return sign * count
