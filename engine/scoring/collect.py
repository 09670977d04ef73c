"""The results that feed scoring, read from the work itself: submissions, completed tasks, lateness,
with the central office's corrections on top. No workflow is deserialized."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import HumanTask, Instance, ProcessDefinition, ScoreCorrection, Submission


@dataclass
class Collected:
    instance_id: int
    service_process: str
    process_id: str
    group: str = ""
    values: dict = field(default_factory=dict)       # source name -> value
    days_late: dict = field(default_factory=dict)    # source name -> days
    corrected: dict = field(default_factory=dict)    # indicator code -> {"value", "reason"}
    evidence: int = 0                                # evidence files referenced in reports


def _latest(subs: list[Submission], bpmn_id: str) -> dict:
    for sub in reversed(subs):
        if sub.bpmn_id == bpmn_id:
            return sub.data
    return {}


def _first_late(tasks: list[HumanTask], bpmn_id: str) -> int:
    done = [t for t in tasks if t.bpmn_id == bpmn_id and t.status == "completed"]
    return int(done[0].days_late or 0) if done else 0


def _count_files(data) -> int:
    if isinstance(data, dict):
        return int("file_id" in data) + sum(_count_files(v) for k, v in data.items() if k != "file_id")
    if isinstance(data, list):
        return sum(_count_files(v) for v in data)
    return 0


def collect(session: Session, instance: Instance, process_id: str) -> Collected:
    subs = list(session.scalars(select(Submission).where(Submission.instance_id == instance.id)
                                .order_by(Submission.id)))
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                                 .order_by(HumanTask.id)))
    out = Collected(instance.id, instance.service_process, process_id)
    done = {t.bpmn_id for t in tasks if t.status == "completed"}
    if process_id == "sla_lifecycle":
        evaluation = _latest(subs, "central_evaluation")
        final = _latest(subs, "report_12m")
        out.group = evaluation.get("group", "")
        milestone = 5 if "publish_sla" in done else 3 if "stage2_sla" in done and (instance.progress or {}).get(
            "stage2") == "done" else 1 if "stage1_targets" in done else 0
        out.values = {
            "plan_completeness_percent": evaluation.get("plan_completeness_percent"),
            "success_percent": evaluation.get("success_percent", final.get("success_percent")),
            "satisfaction_percent": evaluation.get("satisfaction_percent", final.get("satisfaction_percent")),
            "milestone_level": evaluation.get("milestone_level", milestone),
        }
        out.days_late = {"report": sum(int(t.days_late or 0) for t in tasks
                                       if t.bpmn_id in ("report_6m", "report_9m", "report_12m") and t.days_late)}
        out.evidence = sum(_count_files(s.data) for s in subs if s.bpmn_id.startswith("report_"))
    elif process_id == "kpi_process_2566":
        assessment = _latest(subs, "kpi_assessment")
        out.values = {"round1_level": assessment.get("round1_level"), "round2_level": assessment.get("round2_level")}
        out.days_late = {"round1_level": _first_late(tasks, "round1_report"),
                         "round2_level": _first_late(tasks, "round2_report")}
        out.evidence = sum(_count_files(s.data) for s in subs if s.bpmn_id.startswith("round"))
    for corr in session.scalars(select(ScoreCorrection).where(ScoreCorrection.instance_id == instance.id)
                                .order_by(ScoreCorrection.id)):
        out.corrected[corr.indicator] = {"value": corr.value.get("value"), "reason": corr.reason}
    return out


def instances_of_year(session: Session, fiscal_year: int, agency_ids=None):
    stmt = (select(Instance, ProcessDefinition.process_id)
            .join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
            .where(Instance.fiscal_year == fiscal_year, Instance.status != "cancelled"))
    if agency_ids is not None:
        stmt = stmt.where(Instance.agency_id.in_(agency_ids))
    return session.execute(stmt).all()
