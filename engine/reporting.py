"""The reporting calendar of a fiscal year (DOMAIN.md §4): defaults, and the central office's edits."""
from __future__ import annotations

from datetime import date

from .fiscal import BE_OFFSET

#: code -> (month, day) in the C.E. year in which the fiscal year ends (its 30 September)
DEFAULTS = {
    "forms_a_e": (1, 31),        # first-year agencies submit forms A–E (January)
    "plan_sla_photo": (3, 31),   # improvement plan, the SLA and the photo of it posted (March)
    "report_6": (4, 10),         # 6-month round (1 Oct – 31 Mar)
    "report_9": (7, 10),         # 9-month round (1 Oct – 30 Jun)
    "report_12": (10, 9),        # 12-month round (1 Oct – 30 Sep), due early in the next fiscal year
    "satisfaction": (10, 31),    # the central office surveys satisfaction (October)
}


def default_date(fiscal_year: int, code: str) -> date:
    month, day = DEFAULTS[code]
    return date(int(fiscal_year) - BE_OFFSET, month, day)


def report_code(months: int) -> str:
    if months not in (6, 9, 12):
        raise ValueError("reporting rounds are 6, 9 or 12 months")
    return f"report_{months}"
