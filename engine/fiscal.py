"""Fiscal years in the Buddhist Era: FY N runs 1 Oct (N-544 C.E.) to 30 Sep (N-543 C.E.)."""
from __future__ import annotations

from datetime import date

BE_OFFSET = 543


def fiscal_year_of(day: date) -> int:
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_start(fy_be: int) -> date:
    return date(fy_be - BE_OFFSET - 1, 10, 1)


def fiscal_year_end(fy_be: int) -> date:
    return date(fy_be - BE_OFFSET, 9, 30)
