"""Profiles of the shipped processes: what the engine needs to know of each to show its stages, date
its work, know its evaluation group and turn its work into the results its KPI scheme scores."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from engine.profiles import Facts, Group, Profile, Report


def _number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _key(text) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def plan_completeness(plan: list, reported: list) -> str | None:
    """Indicator 1.1 (seed 000 slide 5, "ความครบถ้วนของการดำเนินการตามกิจกรรมต่างๆ ที่สอดคล้องกับ
    แผนการปรับปรุงฯ"): the share of the improvement plan's activities that the latest report shows
    done (progress 100 %), as a percentage with two decimals. An activity of the plan that the
    report does not mention is not done; reported activities outside the plan do not count."""
    planned = [_key(row.get("activity")) for row in plan or [] if isinstance(row, dict) and row.get("activity")]
    if not planned:
        return None
    progress = {}
    for row in reported or []:
        if isinstance(row, dict):
            value = _number(row.get("progress"))
            if value is not None:
                progress[_key(row.get("activity"))] = value
    done = sum(1 for activity in planned if progress.get(activity, Decimal(0)) >= 100)
    return str((Decimal(done) * 100 / len(planned)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _files(data) -> int:
    if isinstance(data, dict):
        return int("file_id" in data) + sum(_files(v) for k, v in data.items() if k != "file_id")
    if isinstance(data, list):
        return sum(_files(v) for v in data)
    return 0


REPORTS = ("report_12m", "report_9m", "report_6m")


def sla_results(facts: Facts) -> dict:
    """Results of one SLA lifecycle instance. The central evaluation's figures win where it gave
    them; until then the work itself: the latest report, the plan (this year's stage 2, else the
    SLA of the year before), the milestones reached."""
    evaluation = facts.latest("central_evaluation")
    report = facts.latest(*REPORTS)
    final = facts.latest("report_12m")
    plan = facts.latest("stage2_sla").get("plan")
    if not plan and facts.previous is not None:
        plan = facts.previous.latest("stage2_sla").get("plan")
    achieved = []
    if facts.latest("stage2_sla").get("plan"):
        achieved.append("plan")
    if (facts.progress or {}).get("stage2") == "done":
        achieved.append("sla")
    if facts.approved("review_publish") or facts.approved("escalate_publish"):
        achieved.append("posted")  # posted at the service point and published, as approved
    completeness = plan_completeness(plan or [], report.get("activities") or [])
    return {
        "plan_completeness_percent": evaluation.get("plan_completeness_percent", completeness),
        # the central evaluation's figure; else the scheme measures it from the service records, or
        # takes the agency's reported figure
        "success_percent": evaluation.get("success_percent"),
        "reported_success_percent": final.get("success_percent"),
        # the central office surveys satisfaction (seed 000 slide 9, condition 6): its evaluation, else the
        # survey (scored by the rule the scheme states); never the agency's own figure
        "satisfaction_percent": evaluation.get("satisfaction_percent"),
        "milestone_level": evaluation.get("milestone_level", {"achieved": achieved}),
    }


def sla_evidence(facts: Facts) -> dict:
    files = sum(_files(s.data) for s in facts.submissions if s.bpmn_id in REPORTS)
    return {"success_percent": files}


def sla_public_page(facts: Facts) -> tuple[str, dict, str]:
    """The public page as it will read once published: this year's SLA, or last year's kept."""
    from .sla import promised_time, public_content

    stage2 = facts.latest("stage2_sla") or (facts.previous.latest("stage2_sla") if facts.previous else {})
    content = public_content(stage2, facts.latest("publish_sla"))
    title = facts.latest("select_process").get("process_name") or facts.service_process
    return title, content, promised_time(content)


SLA_LIFECYCLE = Profile(
    process_id="sla_lifecycle",
    calendar="sla_kpi",
    main=True,
    stages=("select_process", "stage1", "stage2", "stage3", "stage4", "evaluation"),
    reports=(
        Report("stage1_targets", ("review_stage1", "escalate_stage1"), label="ขั้นที่ 1 (แบบฟอร์ม A–E)",
               milestone="forms_a_e", stage="stage1"),
        Report("stage2_sla", ("review_stage2", "escalate_stage2"), label="ขั้นที่ 2 แผนการปรับปรุงและ SLA",
               milestone="plan_sla_photo", stage="stage2"),
        Report("publish_sla", ("review_publish", "escalate_publish"), label="ภาพถ่ายการติดประกาศ SLA",
               milestone="plan_sla_photo", stage="stage3"),
        Report("report_6m", ("review_report6", "escalate_report6"), "report", "รายงานรอบ 6 เดือน",
               milestone="report_6", stage="stage3"),
        Report("report_9m", ("review_report9", "escalate_report9"), "report", "รายงานรอบ 9 เดือน",
               milestone="report_9", stage="stage3"),
        Report("report_12m", ("review_report12", "escalate_report12"), "report", "รายงานรอบ 12 เดือน",
               milestone="report_12", stage="stage3"),
    ),
    groups=(
        Group("group1", "กลุ่มที่ 1 (จัดทำ SLA ของกระบวนงานนี้ในปีงบประมาณก่อน)",
              "Group 1 (SLA made in an earlier fiscal year)", "กลุ่มที่ 1"),
        Group("group2", "กลุ่มที่ 2 (จัดทำ SLA ของกระบวนงานนี้เป็นปีแรก)", "Group 2 (new SLA this year)", "กลุ่มที่ 2"),
    ),
    # seed 000 slide 4: group 1 made its SLA in an earlier year; group 2 makes a new one this year
    group_at_start=lambda had_sla_before: "group1" if had_sla_before else "group2",
    earlier_document="sla",
    # a service process with an SLA from an earlier year may keep it (stages 1–2 are then optional)
    start_data=lambda earlier_fy: {"earlier_fiscal_year": earlier_fy, "revise_sla": False},
    results=sla_results,
    evidence=sla_evidence,
    public_page=sla_public_page,
    poster_tasks=("publish_sla", "review_publish"),
    measure_tasks=("report_6m", "report_9m", "report_12m"),
)


def kpi_2566_results(facts: Facts) -> dict:
    assessment = facts.latest("kpi_assessment")
    return {"round1_level": assessment.get("round1_level"), "round2_level": assessment.get("round2_level")}


KPI_PROCESS_2566 = Profile(
    process_id="kpi_process_2566",
    calendar="internal",
    reports=(
        Report("round1_report", ("review_round1", "escalate_round1"), "round1_level", "รายงานรอบที่ 1",
               milestone="report_6"),
        Report("round2_report", ("review_round2", "escalate_round2"), "round2_level", "รายงานรอบที่ 2",
               milestone="report_12"),
    ),
    results=kpi_2566_results,
)

def standard_results(facts: Facts) -> dict:
    """The department evaluator's scores of KPIs 1–10 (seed 002)."""
    assessment = facts.latest("std_assessment")
    return {f"kpi{n}": assessment.get(f"kpi{n}") for n in range(1, 11)}


def standard_evidence(facts: Facts) -> dict:
    """Files of evidence per KPI in the 12-month report (seed 002 slide 11: at least two per KPI)."""
    out: dict[str, int] = {}
    for row in facts.latest("std_report_12").get("kpis") or []:
        if isinstance(row, dict) and isinstance(row.get("kpi"), str):
            out[row["kpi"]] = out.get(row["kpi"], 0) + _files(row.get("evidence"))
    return out


SERVICE_STANDARD = Profile(
    process_id="service_standard",
    calendar="internal",
    reports=tuple(
        Report(f"std_report_{m}", (f"review_std{m}", f"escalate_std{m}"), label=f"รายงานรอบ {m} เดือน",
               milestone=f"report_{m}")
        for m in (6, 9, 12)),
    results=standard_results,
    evidence=standard_evidence,
)

COMPLAINT = Profile(
    process_id="complaint",
    handles_complaints=True,
    listed=False,
    # each complaint starts with its due date (the agency's handling time in working days); a sample for checks
    start_data=lambda earlier_fy: {"complaint_id": 0, "complaint_due": "2026-12-31T23:59:59+07:00"},
)

PROFILES = {p.process_id: p for p in (SLA_LIFECYCLE, KPI_PROCESS_2566, SERVICE_STANDARD, COMPLAINT)}
