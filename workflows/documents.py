"""Printable documents (HTML, Thai, Buddhist Era dates) rendered from submitted data."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
               "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
TIME_UNITS = {"working_days": "วันทำการ", "working_hours": "ชั่วโมงทำการ", "minutes": "นาที"}

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def thai_date(value) -> str:
    """10 เมษายน พ.ศ. 2569"""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo("Asia/Bangkok")).date()
    if not isinstance(value, date):
        return "-"
    return f"{value.day} {THAI_MONTHS[value.month - 1]} พ.ศ. {value.year + 543}"


def baht(value) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return "-"


_ENV.filters["thai_date"] = thai_date
_ENV.filters["baht"] = baht
_ENV.filters["time_unit"] = lambda unit: TIME_UNITS.get(unit, unit or "")


def render_sla(title: str, agency: str, fiscal_year, stage2: dict, approved_on) -> str:
    return _ENV.get_template("sla_document.html").render(
        title=title, agency=agency, fiscal_year=fiscal_year, sla=stage2.get("sla") or {},
        steps=sorted(stage2.get("new_steps") or [], key=lambda s: s.get("order", 0)),
        plan=stage2.get("plan") or [], approved_on=approved_on)
