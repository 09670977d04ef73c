"""The reporting calendars the shipped schemes name: the dates of each fiscal year (defaults the
evaluator edits per year at /reporting-calendar) and the rule for a due date on a non-working day.

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
    source="seed 000 slide 10 (กรอบระยะเวลาการดำเนินการ, ร่าง) and slide 9",
    shift="previous",
    note="The seed gives months, not days: each date is the month's last day (the 6-month progress report "
         "within the 6-month round, i.e. by 31 March; no 9-month report is named, 30 June is assumed).",
    milestones=(
        Milestone("consultation", "สำนักงาน ก.พ.ร. ให้คำปรึกษาแก่ส่วนราชการ", "The central office consults agencies",
                  11, 30, year="start", kind="event", source="seed 000 slide 10: พ.ย."),
        Milestone("forms_a_e", "ส่งข้อมูลตามแบบฟอร์ม A–E (ขั้นที่ 1)", "Forms A–E (stage 1)", 1, 31,
                  source="seed 000 slide 10: ม.ค., first-year agencies"),
        Milestone("plan_sla_photo", "ส่งแผนการปรับปรุง ข้อตกลงระดับการให้บริการ และภาพถ่ายการติดประกาศ",
                  "Improvement plan, the SLA and the photo of it posted", 3, 31,
                  source="seed 000 slide 10: มี.ค.; slide 9 condition 2: within the 6-month round"),
        Milestone("report_6", "รายงานความก้าวหน้าตามแผนการปรับปรุง (รอบ 6 เดือน)", "6-month progress report", 3, 31,
                  source="seed 000 slide 9 condition 3: within the 6-month round (assumed its last day)"),
        Milestone("report_9", "รายงานผลรอบ 9 เดือน", "9-month report", 6, 30,
                  source="not in seed 000 (assumed: the last day of the 9-month round)"),
        Milestone("report_12", "รายงานผลสำเร็จของการปรับปรุงฯ ทุกกระบวนงาน (รอบ 12 เดือน)",
                  "12-month results report", 9, 30, source="seed 000 slide 10: ก.ย.; slide 9 condition 4"),
        Milestone("satisfaction", "สำนักงาน ก.พ.ร. สำรวจความพึงพอใจ", "The central office surveys satisfaction",
                  10, 31, kind="event", source="seed 000 slide 10: ต.ค.; slide 9 condition 6"),
    ) + _rounds_open("the last month of each round"),
)

DEPARTMENT = CalendarSpec(
    code="internal",
    title="ปฏิทินการรายงานผลของกรม (กลุ่มพัฒนาระบบบริหาร)",
    title_en="The department's own reporting calendar",
    owner="evaluator",
    source="seed 002 slide 11 (ปฏิทินการรายงานผลโครงการยกระดับคุณภาพการให้บริการประชาชน)",
    shift="previous",
    milestones=(
        Milestone("report_6", "รายงานผลรอบ 6 เดือน (1 ต.ค. – 31 มี.ค.)", "6-month report", 4, 10,
                  source="seed 002 slide 11: ภายในวันที่ 10 เมษายน"),
        Milestone("report_9", "รายงานผลรอบ 9 เดือน (1 ต.ค. – 30 มิ.ย.)", "9-month report", 7, 10,
                  source="seed 002 slide 11: ภายในวันที่ 10 กรกฎาคม"),
        Milestone("report_12", "รายงานผลรอบ 12 เดือน พร้อมหลักฐานและคำสั่งแต่งตั้งคณะทำงาน", "12-month report",
                  10, 10, source="seed 002 slide 11: 9 ตุลาคม 2558 (10 October 2015 was a Saturday)"),
    ) + _rounds_open("the last month of each round"),
)

CALENDARS = {c.code: c for c in (SLA_KPI, DEPARTMENT)}
