"""Reporting calendars: which dates each evaluator's calendar holds, their defaults per fiscal year,
and the rule for a due date that falls on a non-working day.

The calendars themselves are data declared by the workflow glue (``CALENDARS`` beside the handlers,
e.g. the central office's SLA KPI calendar of seed 000 and a department's own calendar of seed 002);
the engine knows none by name. The evaluator edits each calendar's dates and rule per fiscal year.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .fiscal import BE_OFFSET

SHIFTS = ("previous", "next", "none")


class UnknownCalendar(KeyError):
    pass


@dataclass(frozen=True)
class Milestone:
    code: str
    title: str          # Thai
    title_en: str
    month: int
    day: int
    year: str = "end"   # the C.E. year of the fiscal year's "start" (1 Oct) or "end" (30 Sep)
    kind: str = "due"   # due: moved off non-working days by the calendar's rule; opens: a round opens
    source: str = ""

    def default(self, fiscal_year: int) -> date:
        end_year = int(fiscal_year) - BE_OFFSET
        return date(end_year - 1 if self.year == "start" else end_year, self.month, self.day)


@dataclass(frozen=True)
class CalendarSpec:
    code: str
    title: str
    title_en: str
    source: str
    shift: str                       # the default rule for due dates on non-working days
    milestones: tuple[Milestone, ...]
    note: str = ""
    owner: str = "central"           # the role that edits it: the central office, or a department evaluator

    def milestone(self, code: str) -> Milestone:
        for m in self.milestones:
            if m.code == code:
                return m
        raise UnknownCalendar(f"calendar {self.code!r} has no date {code!r}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.milestones)


_REGISTRY: dict[str, CalendarSpec] = {}
DEFAULT_CALENDAR = [""]  # the first calendar installed, for timer expressions that name none


def install(specs) -> None:
    """Register the calendars the workflow glue declares (called when the engine is built)."""
    specs = list(specs.values()) if isinstance(specs, dict) else list(specs)
    for sp in specs:
        if sp.shift not in SHIFTS:
            raise ValueError(f"calendar {sp.code}: shift must be one of {SHIFTS}")
        _REGISTRY[sp.code] = sp
    if specs:
        DEFAULT_CALENDAR[0] = specs[0].code


def calendars() -> dict[str, CalendarSpec]:
    return dict(_REGISTRY)


def spec(code: str | None) -> CalendarSpec:
    code = code or DEFAULT_CALENDAR[0]
    if code not in _REGISTRY:
        raise UnknownCalendar(f"no reporting calendar {code!r} (known: {', '.join(sorted(_REGISTRY)) or 'none'})")
    return _REGISTRY[code]


def default_date(fiscal_year: int, code: str, calendar: str | None = None) -> date:
    return spec(calendar).milestone(code).default(fiscal_year)


def report_code(months: int) -> str:
    if months not in (6, 9, 12):
        raise ValueError("reporting rounds are 6, 9 or 12 months")
    return f"report_{months}"


def opens_code(months: int) -> str:
    if months not in (6, 9, 12):
        raise ValueError("reporting rounds are 6, 9 or 12 months")
    return f"round_{months}_opens"


def shifted(day: date, rule: str, is_working_day) -> date:
    """``day`` moved to the previous or next working day when it is not one (``none``: kept)."""
    if rule == "none" or is_working_day(day):
        return day
    step = timedelta(days=-1 if rule == "previous" else 1)
    while not is_working_day(day):
        day += step
    return day
