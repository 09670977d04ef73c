"""Template filters: Buddhist Era dates in the configured time zone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import get_locale

THAI_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def be_date(value, tz: str = "Asia/Bangkok", with_time: bool = False) -> str:
    """10 เม.ย. 2569 (Thai) or 10 Apr 2569 B.E. (English); '-' for nothing."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz))
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        return str(value)
    thai = str(get_locale() or "th").startswith("th")
    months = THAI_MONTHS if thai else EN_MONTHS
    text = f"{day.day} {months[day.month - 1]} {day.year + 543}"
    if not thai:
        text += " B.E."
    if with_time and isinstance(value, datetime):
        text += value.strftime(" %H:%M")
    return text


def register(app) -> None:
    tz = app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Bangkok")
    app.jinja_env.filters["be_date"] = lambda v, with_time=False: be_date(v, tz, with_time)
