"""The Thai government working-day calendar: weekends, public and government holidays of the
``holidays`` package, and the days administrators add (special holidays, bridge days, closures) or
turn back into working days. Working-day and working-hour arithmetic."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

MAX_SPAN_DAYS = 3660  # arithmetic never walks further than ten years


#: holidays of the package that are not days off for government offices: Labour Day (1 May) is a
#: holiday for the private sector and banks under the Labour Protection Act, not for officials
NOT_GOVERNMENT = ("National Labor Day",)
#: holidays the cabinet announces year by year; where the package has none for a year,
#: administrators are told to confirm the date
ANNOUNCED_YEARLY = ("Royal Ploughing Ceremony",)


def _th(year: int, categories=("public", "government"), language="th"):
    return holidays.country_holidays("TH", years=year, categories=categories, language=language)


@lru_cache(maxsize=64)
def _package_holidays(year: int) -> dict[date, str]:
    english = _th(year, language="en_US")
    return {day: name for day, name in _th(year).items()
            if not any(english.get(day, "").startswith(skip) for skip in NOT_GOVERNMENT)}


@lru_cache(maxsize=64)
def unconfirmed_holidays(year: int) -> tuple[str, ...]:
    """Holidays announced year by year (e.g. the Royal Ploughing Ceremony) that the package does not
    have for ``year``: the administrators must add them when the cabinet announces the date."""
    names = set(_th(year, language="en_US").values())
    earlier_en, earlier_th = _th(year - 1, language="en_US"), _th(year - 1)
    thai = {name: earlier_th.get(day, name) for day, name in earlier_en.items()}
    return tuple(thai.get(n, n) for n in ANNOUNCED_YEARLY if not any(x.startswith(n) for x in names))


class WorkCalendar:
    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = dict(overrides or {})  # day -> True (working) / False (holiday)

    def holiday_name(self, day: date) -> str | None:
        return _package_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5 and day not in _package_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within ten years")

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (before it for negative n); n = 0 gives ``start``."""
        step = 1 if n >= 0 else -1
        day, left = start, abs(n)
        for _ in range(MAX_SPAN_DAYS):
            if left == 0:
                return day
            day += timedelta(days=step)
            left -= self.is_working_day(day)
        raise ValueError("working-day arithmetic beyond ten years")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier).

        Counted without walking the days: weekdays by arithmetic, less the holidays on weekdays, with
        the administrators' changes on top."""
        if end == start:
            return 0
        sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
        if (hi - lo).days > MAX_SPAN_DAYS:
            raise ValueError("span beyond ten years")
        weeks, extra = divmod((hi - lo).days, 7)
        count = weeks * 5 + sum(1 for i in range(1, extra + 1) if (lo + timedelta(days=i)).weekday() < 5)
        for year in range(lo.year, hi.year + 1):
            count -= sum(1 for day in _package_holidays(year)
                         if lo < day <= hi and day.weekday() < 5 and day not in self.overrides)
        for day, working in self.overrides.items():  # counted above as a plain weekday or weekend day
            if lo < day <= hi:
                count += int(working) - int(day.weekday() < 5)
        return sign * count

    def add_working_hours(self, start: datetime, hours: float, opens: time, closes: time, tz: ZoneInfo) -> datetime:
        """``start`` plus ``hours`` of office time (opening hours on working days only), in UTC."""
        if opens >= closes:
            raise ValueError("office hours must open before they close")
        remaining = timedelta(hours=hours)
        local = start.astimezone(tz)
        for _ in range(MAX_SPAN_DAYS):
            day = local.date()
            day_open = datetime.combine(day, opens, tz)
            day_close = datetime.combine(day, closes, tz)
            if self.is_working_day(day) and local < day_close:
                begin = max(local, day_open)
                available = day_close - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(ZoneInfo("UTC"))
                remaining -= available
            local = datetime.combine(day + timedelta(days=1), time(0), tz)
        raise ValueError("working-hour arithmetic beyond ten years")

    def office_minutes_between(self, start: datetime, end: datetime, opens: time, closes: time,
                               tz: ZoneInfo) -> float:
        """Minutes of office time (opening hours on working days) from ``start`` to ``end``."""
        if end <= start:
            return 0.0
        if opens >= closes:
            raise ValueError("office hours must open before they close")
        local, stop = start.astimezone(tz), end.astimezone(tz)
        if (stop.date() - local.date()).days > MAX_SPAN_DAYS:
            raise ValueError("span beyond ten years")
        total = timedelta(0)
        day = local.date()
        while day <= stop.date():
            if self.is_working_day(day):
                begin = max(local, datetime.combine(day, opens, tz))
                finish = min(stop, datetime.combine(day, closes, tz))
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total.total_seconds() / 60


def parse_hhmm(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(hours, minutes)
