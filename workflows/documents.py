"""Printable documents (HTML, Thai, Buddhist Era dates) rendered from submitted data."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine.thaidate import be_date, plain_number

number = plain_number

TIME_UNITS = {"working_days": "วันทำการ", "working_hours": "ชั่วโมงทำการ", "minutes": "นาที"}

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def thai_date(value) -> str:
    """10 เมษายน พ.ศ. 2569"""
    return be_date(value, "Asia/Bangkok", "th", long=True)


def baht(value) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return "-"


_ENV.filters["thai_date"] = thai_date
_ENV.filters["baht"] = baht
_ENV.filters["time_unit"] = lambda unit: TIME_UNITS.get(unit, unit or "")


def render_sla(title: str, agency: str, fiscal_year, stage2: dict, approved_on, carried_from=None,
               signatory: str = "", position: str = "") -> str:
    """The SLA of ``fiscal_year`` as the agency's announcement (ประกาศ … เรื่อง …), in force from the
    approval or the start of the fiscal year, whichever is later, with a signature block for the head
    (``carried_from``: the fiscal year whose SLA it continues unchanged). The internal improvement plan
    shows on screen for staff and is never printed."""
    from datetime import date, datetime

    from engine.fiscal import fiscal_year_start

    approved = approved_on.date() if isinstance(approved_on, datetime) else approved_on
    effective = approved
    if fiscal_year and isinstance(approved, date):
        effective = max(approved, fiscal_year_start(int(fiscal_year)))
    return _ENV.get_template("sla_document.html").render(
        title=title, agency=agency, fiscal_year=fiscal_year, sla=stage2.get("sla") or {},
        steps=sorted(stage2.get("new_steps") or [], key=lambda s: s.get("order", 0)),
        plan=stage2.get("plan") or [], approved_on=approved_on, carried_from=carried_from,
        effective_on=effective, signatory=signatory, position=position)
