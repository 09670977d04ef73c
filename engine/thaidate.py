"""Dates as people read them: the Buddhist Era, Thai month names, the configured time zone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BE_OFFSET = 543
MONTHS = {
    ("th", False): ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."),
    ("th", True): ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
                   "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"),
    ("en", False): ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    ("en", True): ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"),
}


def be_date(value, tz: str | ZoneInfo = "Asia/Bangkok", lang: str = "th", long: bool = False,
            with_time: bool = False, empty: str = "-") -> str:
    """10 เม.ย. 2569 / 10 เมษายน พ.ศ. 2569 / 10 Apr 2569 B.E.; ``empty`` for nothing.

    ``value`` is an aware datetime (shown in ``tz``), a date, or ISO text (a date or a datetime)."""
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value[:10])
        except ValueError:
            return value
    local = value.astimezone(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)) if isinstance(value, datetime) \
        else value
    day = local.date() if isinstance(local, datetime) else local
    lang = "en" if lang == "en" else "th"
    month = MONTHS[(lang, long)][day.month - 1]
    year = day.year + BE_OFFSET
    if lang == "th":
        text = f"{day.day} {month} {'พ.ศ. ' if long else ''}{year}"
    else:
        text = f"{day.day} {month} {year} B.E."
    if with_time and isinstance(local, datetime):
        text += local.strftime(" %H:%M")
    return text


def be_month(value, lang: str = "th", empty: str = "-") -> str:
    """A month as people name it: ต.ค. 2569 / Oct 2569 B.E. (``value`` a date or ISO text)."""
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    lang = "en" if lang == "en" else "th"
    text = f"{MONTHS[(lang, False)][value.month - 1]} {value.year + BE_OFFSET}"
    return text if lang == "th" else text + " B.E."


def plain_number(value) -> str:
    """A quantity as people write it: 15, 1.5, 2,000 (no trailing .0)."""
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        return str(value or "")
    return f"{as_float:,.0f}" if as_float.is_integer() else f"{as_float:,.2f}".rstrip("0").rstrip(".")
