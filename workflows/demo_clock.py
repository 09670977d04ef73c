"""The demo's clock: moments of a fiscal year in Bangkok, office hours, and standing the clock still at a
moment while a use case runs (so deadlines, lateness and the audit trail are as they would have been)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.fiscal import BE_OFFSET

BKK = ZoneInfo("Asia/Bangkok")


def at(moment: datetime):
    """The clock stands at ``moment`` while the block runs."""
    try:
        import time_machine
    except ImportError:  # pragma: no cover - the demo extra is not installed
        raise RuntimeError("the demo data needs the demo extra: pip install 'slaflow[demo]'") from None
    return time_machine.travel(moment, tick=False)


def on(fy: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment of fiscal year ``fy`` (Oct–Dec fall in the C.E. year before it ends)."""
    year = fy - BE_OFFSET - (1 if month >= 10 else 0)
    return datetime.combine(date(year, month, day), time(hour), BKK)


DAY = timedelta(days=1)


def office_hours_ago(today: datetime, days: int, earliest: datetime) -> datetime:
    """``days`` before ``today`` at 10:00 in Bangkok (people work in office hours), never before
    ``earliest`` nor after ``today``."""
    moment = (today - timedelta(days=days)).astimezone(BKK).replace(hour=10, minute=0, second=0, microsecond=0)
    return max(earliest, min(moment, today))
