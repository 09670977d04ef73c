"""The reporting calendars the shipped schemes name: the dates of each fiscal year (defaults the
evaluator edits per year at /reporting-calendar) and the rule for a due date on a non-working day.
Sources: the central office's SLA KPI calendar, seed 000 slides 9–10; a department's own calendar,
seed 002 slide 11.

Neither seed states that rule; the department's 2015 dates (10 April, 10 July, and 9 October because
10 October 2015 was a Saturday) suggest "the working day before", so both calendars ship with
``previous`` for the evaluator to confirm.
"""
from __future__ import annotations

from engine.reporting import CalendarSpec, Milestone


def _rounds_open(source: str) -> tuple[Milestone, ...]:
    return (
        Milestone("round_6_opens", "เปิดรอบรายงาน 6 เดือน", "6-month round opens", 3, 1, kind="opens", source=source),
        Milestone("round_9_opens", "เปิดรอบรายงาน 9 เดือน", "9-month round opens", 6, 1, kind="opens", source=source),
        Milestone("round_12_opens", "เปิดรอบรายงาน 12 เดือน", "12-month round opens", 9, 1, kind="opens",
                  source=source),
    )


SLA_KPI = CalendarSpec(
    code="sla_kpi",
    title="ปฏิทินตัวชี้วัด SLA ของสำนักงาน ก.พ.ร.",
    title_en="SLA KPI calendar of the central office",
    source="ตัวชี้วัดที่ 2 การจัดทำ SLA ปี 2558: กรอบระยะเวลาการดำเนินการ (ร่าง) และเงื่อนไขการดำเนินการ",
    shift="previous",
    note="เอกสารระบุเป็นเดือน จึงใช้วันสุดท้ายของเดือน: รายงานความก้าวหน้าภายในรอบ 6 เดือน คือ 31 มี.ค.; "
         "ไม่มีรายงานรอบ 9 เดือนในเอกสาร จึงใช้ 30 มิ.ย. (รอสำนักงาน ก.พ.ร. ยืนยัน)",
    milestones=(
        Milestone("consultation", "สำนักงาน ก.พ.ร. ให้คำปรึกษาแก่ส่วนราชการ", "The central office consults agencies",
                  11, 30, year="start", kind="event", source="กรอบระยะเวลา: พ.ย."),
        Milestone("forms_a_e", "ส่งข้อมูลตามแบบฟอร์ม A–E (ขั้นที่ 1)", "Forms A–E (stage 1)", 1, 31,
                  source="กรอบระยะเวลา: ม.ค. (ส่วนราชการที่เริ่มจัดทำ SLA ปีแรก)"),
        Milestone("plan_sla_photo", "ส่งแผนการปรับปรุง ข้อตกลงระดับการให้บริการ และภาพถ่ายการติดประกาศ",
                  "Improvement plan, the SLA and the photo of it posted", 3, 31,
                  source="กรอบระยะเวลา: มี.ค.; เงื่อนไขข้อ 2: ภายในรอบการรายงาน 6 เดือน"),
        Milestone("report_6", "รายงานความก้าวหน้าตามแผนการปรับปรุง (รอบ 6 เดือน)", "6-month progress report", 3, 31,
                  source="เงื่อนไขข้อ 3: ภายในรอบการรายงาน 6 เดือน (ใช้วันสุดท้ายของรอบ)"),
        Milestone("report_9", "รายงานผลรอบ 9 เดือน", "9-month report", 6, 30,
                  source="ไม่มีในเอกสาร (ใช้วันสุดท้ายของรอบ 9 เดือน)"),
        Milestone("report_12", "รายงานผลสำเร็จของการปรับปรุงฯ ทุกกระบวนงาน (รอบ 12 เดือน)",
                  "12-month results report", 9, 30, source="กรอบระยะเวลา: ก.ย.; เงื่อนไขข้อ 4"),
        Milestone("satisfaction_survey", "สำนักงาน ก.พ.ร. สำรวจความพึงพอใจ", "The central office surveys satisfaction",
                  10, 31, kind="event", source="กรอบระยะเวลา: ต.ค.; เงื่อนไขข้อ 6"),
    ) + _rounds_open("เดือนสุดท้ายของแต่ละรอบ"),
)

DEPARTMENT = CalendarSpec(
    code="internal",
    title="ปฏิทินการรายงานผลของกรม (กลุ่มพัฒนาระบบบริหาร)",
    title_en="The department's own reporting calendar",
    owner="evaluator",
    source="ปฏิทินการรายงานผลโครงการยกระดับคุณภาพการให้บริการประชาชนของกรม",
    shift="previous",
    milestones=(
        Milestone("report_6", "รายงานผลรอบ 6 เดือน (1 ต.ค. – 31 มี.ค.)", "6-month report", 4, 10,
                  source="ภายในวันที่ 10 เมษายน"),
        Milestone("report_9", "รายงานผลรอบ 9 เดือน (1 ต.ค. – 30 มิ.ย.)", "9-month report", 7, 10,
                  source="ภายในวันที่ 10 กรกฎาคม"),
        Milestone("report_12", "รายงานผลรอบ 12 เดือน พร้อมหลักฐานและคำสั่งแต่งตั้งคณะทำงาน", "12-month report",
                  10, 10, source="9 ตุลาคม 2558 ในเอกสาร (10 ต.ค. 2558 ตรงกับวันเสาร์)"),
    ) + _rounds_open("เดือนสุดท้ายของแต่ละรอบ"),
)

CALENDARS = {c.code: c for c in (SLA_KPI, DEPARTMENT)}
