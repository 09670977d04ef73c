"""Excel export for the central office (openpyxl): scores with their working and every agency's status,
Thai headers, Buddhist Era dates."""
from __future__ import annotations

import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from ..actors import Actor, require
from ..context import Context
from ..models import Agency, Deadline, HumanTask, Instance, KpiScore, ProcessDefinition, utcnow
from ..roles import CENTRAL, EVALUATOR
from ..sheets import inert_row
from ..thaidate import be_date
from .central import main_process_id, stages_of

STATE_TH = {"done": "เสร็จแล้ว", "current": "กำลังดำเนินการ", "todo": "ยังไม่ถึง"}
HEADER = Font(bold=True, color="FFFFFF")
FILL = PatternFill("solid", fgColor="1F4E8C")


def _sheet(wb, title: str, headers: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font, cell.fill, cell.alignment = HEADER, FILL, Alignment(wrap_text=True, vertical="center")
    for row in rows:
        ws.append(row)
        inert_row(ws)  # text from agencies and citizens stays text
    for i, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[i - 1])) for r in rows[:500] if i - 1 < len(r)] + [8])
        ws.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
    ws.freeze_panes = "A2"


def workbook(ctx: Context, actor: Actor, fiscal_year: int) -> bytes:
    require(actor, CENTRAL, EVALUATOR, what="export the agencies")
    tz = ZoneInfo(ctx.settings.timezone)
    now = utcnow()
    with ctx.uow(write=False) as uow:
        s = uow.session
        agencies = {a.id: a for a in s.scalars(select(Agency).order_by(Agency.ministry, Agency.name))
                    if actor.can_see_agency(a.id)}
        score_rows = []
        for sc in s.scalars(select(KpiScore).where(KpiScore.fiscal_year == fiscal_year)
                            .order_by(KpiScore.agency_id, KpiScore.scheme_code)):
            a = agencies.get(sc.agency_id)
            if a is None:
                continue
            late = sc.details.get("late") or {}
            for proc in sc.details.get("processes", []):
                group = (sc.details.get("groups") or {}).get(proc["name"], "")
                for ln in proc["lines"]:
                    score_rows.append([a.code, a.name, a.ministry, a.region, fiscal_year, sc.scheme_code, group,
                                       proc["name"], ln["code"], ln["title"], float(Decimal(ln["weight"])),
                                       "" if ln["value"] is None else str(ln["value"]), float(Decimal(ln["level"])),
                                       ln["days_late"], float(Decimal(ln["penalty"])), float(Decimal(ln["score"])),
                                       float(Decimal(proc["score"])),
                                       float(Decimal(sc.details.get("subtotal", sc.score))),
                                       float(Decimal(late.get("penalty", "0"))), float(sc.score),
                                       be_date(sc.computed_at, tz, empty="")])
        stages = stages_of(s)
        late = dict(s.execute(select(HumanTask.agency_id, func.count()).where(
            HumanTask.status == "open", HumanTask.due_at < now).group_by(HumanTask.agency_id)).all())
        next_due = dict(s.execute(select(HumanTask.agency_id, func.min(HumanTask.due_at)).where(
            HumanTask.status == "open", HumanTask.due_at >= now).group_by(HumanTask.agency_id)).all())
        # the next due date the dashboard shows counts pending timers too (a report round not yet open)
        for agency_id, due in s.execute(select(Instance.agency_id, func.min(Deadline.due_at))
                                        .join(Instance, Instance.id == Deadline.instance_id)
                                        .where(Deadline.kind == "timer", Deadline.status == "pending",
                                               Deadline.due_at >= now).group_by(Instance.agency_id)):
            if due is not None and (next_due.get(agency_id) is None or due < next_due[agency_id]):
                next_due[agency_id] = due
        status_rows = []
        for inst, _pid in s.execute(select(Instance, ProcessDefinition.process_id)
                                    .join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
                                    .where(Instance.fiscal_year == fiscal_year,
                                           ProcessDefinition.process_id == main_process_id())
                                    .order_by(Instance.agency_id)):
            a = agencies.get(inst.agency_id)
            if a is None:
                continue
            cells = [STATE_TH[(inst.progress or {}).get(sid, "todo")] for sid, _ in stages]
            status_rows.append([a.code, a.name, a.ministry, a.region, inst.service_process, fiscal_year,
                                inst.evaluation_group, *cells, late.get(a.id, 0),
                                be_date(next_due.get(a.id), tz, empty=""), be_date(inst.updated_at, tz, empty="")])
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "คะแนน", ["รหัสหน่วยงาน", "หน่วยงาน", "กระทรวง", "ภาค", "ปีงบประมาณ", "เกณฑ์", "กลุ่ม", "กระบวนงาน",
                         "ตัวชี้วัด", "ชื่อตัวชี้วัด", "น้ำหนัก", "ผลการดำเนินงาน", "ระดับ", "วันที่ล่าช้า",
                         "คะแนนที่ถูกปรับลด", "คะแนนตัวชี้วัด", "คะแนนกระบวนงาน", "คะแนนก่อนหักส่งล่าช้า",
                         "หักส่งล่าช้า", "คะแนนรวม", "คำนวณเมื่อ"],
           score_rows)
    _sheet(wb, "สถานะ", ["รหัสหน่วยงาน", "หน่วยงาน", "กระทรวง", "ภาค", "กระบวนงาน", "ปีงบประมาณ", "กลุ่ม",
                         *[name for _, name in stages], "งานที่เลยกำหนด", "กำหนดส่งถัดไป", "ปรับปรุงล่าสุด"],
           status_rows)
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0000"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def survey_workbook(found) -> bytes:
    """Survey results as Excel: per service, per customer group, per month, and the suggestions."""
    wb = Workbook()
    wb.remove(wb.active)
    pct = lambda v: float(Decimal(v)) if v is not None else ""  # noqa: E731
    _sheet(wb, "รายกระบวนงาน", ["หน่วยงาน", "กระบวนงาน", "จำนวนผู้ตอบ", "ร้อยละความพึงพอใจ", "ร้อยละความไม่พึงพอใจ"],
           [[r["agency"], r["service"], r["responses"], pct(r["satisfied_percent"]), pct(r["dissatisfied_percent"])]
            for r in found.rows])
    _sheet(wb, "รายกลุ่มผู้รับบริการ", ["กลุ่ม", "จำนวนผู้ตอบ", "ร้อยละความพึงพอใจ", "ร้อยละความไม่พึงพอใจ"],
           [[r["group"], r["responses"], pct(r["satisfied_percent"]), pct(r["dissatisfied_percent"])]
            for r in found.groups])
    _sheet(wb, "รายเดือน", ["เดือน", "จำนวนผู้ตอบ", "ร้อยละความพึงพอใจ", "ร้อยละความไม่พึงพอใจ"],
           [[be_date(r["month"] + "-01"), r["responses"], pct(r["satisfied_percent"]), pct(r["dissatisfied_percent"])]
            for r in found.months])
    _sheet(wb, "ข้อเสนอแนะ", ["หน่วยงาน", "กระบวนงาน", "กลุ่ม", "วันที่", "ข้อความ"],
           [[t["agency"], t["service"], t["group"], be_date(t["day"]), t["text"]] for t in found.texts])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def complaints_workbook(listing) -> bytes:
    """An agency's complaints as Excel, contact details always masked (the export leaves the system)."""
    from .complaints import mask

    wb = Workbook()
    wb.remove(wb.active)
    tz = ZoneInfo("Asia/Bangkok")
    _sheet(wb, "เรื่องร้องเรียน", ["รหัส", "กระบวนงาน", "ช่องทาง", "ประเภท", "ความเร่งด่วน", "หัวเรื่อง", "สถานะ",
                                   "รับเรื่อง", "กำหนดตอบ", "ตอบเมื่อ", "การปรับปรุง", "ผู้ร้องเรียน", "โทรศัพท์", "อีเมล"],
           [[c["code"], c["service"], c["channel"], c["category"], c["priority"], c["subject"],
             c["status"], be_date(c["received_at"], tz, empty=""), be_date(c["due_at"], tz, empty=""),
             be_date(c["answered_at"], tz, empty=""), c["improvement"], mask(c["raw_name"]),
             mask(c["raw_phone"]), mask(c["raw_email"])] for c in listing.rows])
    _sheet(wb, "วิเคราะห์", ["มุมมอง", "รายการ", "จำนวน"],
           [["ประเภท", k, n] for k, n in listing.by_category] + [["กระบวนงาน", k, n] for k, n in listing.by_service]
           + [["เดือน", be_date(k + "-01"), n] for k, n in listing.by_month])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
