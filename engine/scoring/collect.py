"""The results that feed scoring, read from the work itself through the process's profile:
submissions, completed tasks, documents, when each report left the agency; the evaluator's
corrections on top. No workflow is deserialized."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import calendar_context, history, profiles
from ..fiscal import BE_OFFSET
from ..models import (
    Document,
    HumanTask,
    Instance,
    ProcessDefinition,
    PublicSla,
    ScoreCorrection,
    ServiceMonth,
    Submission,
    Survey,
    SurveyResponse,
)

DAY = timedelta(days=1)


@dataclass
class Collected:
    instance_id: int
    service_process: str
    process_id: str
    group: str = ""
    values: dict = field(default_factory=dict)       # source name -> value
    days_late: dict = field(default_factory=dict)    # source name -> days late of the reports sent
    corrected: dict = field(default_factory=dict)    # indicator code -> {"value", "reason"}
    evidence: dict = field(default_factory=dict)     # source name -> files of evidence
    survey: list = field(default_factory=list)       # rating means of the fiscal year's survey responses
    measured: dict = field(default_factory=dict)     # the service's figures of the fiscal year from its records
    lateness: list[dict] = field(default_factory=list)  # per report: due, sent, days late, state


def days_between(due: datetime, moment: datetime) -> int:
    """Calendar days late: any part of a day after the due moment counts as a day."""
    return max(0, math.ceil((moment - due) / DAY)) if moment > due else 0


def report_lateness(tasks: list[HumanTask], subs: list[Submission], report: profiles.Report, now: datetime,
                    planned_due: datetime | None = None) -> dict | None:
    """When work was due and when it left the agency (the approval that sends it to the evaluator,
    not the officer's first submission; the task's completion when nobody approves it). Not sent and
    past due: the days so far. Not reached yet: due on the calendar date (``planned_due``)."""
    rows = [t for t in tasks if t.bpmn_id == report.task]
    due = next((t.due_at for t in rows if t.due_at is not None), None) or planned_due
    if due is None:
        return None
    sent = None
    if rows:
        opened = min(t.created_at for t in rows)
        if report.sent_by:
            sent = next((s.submitted_at for s in subs if s.bpmn_id in report.sent_by and s.submitted_at >= opened
                         and (s.data or {}).get("decision") == "approve"), None)
        else:
            sent = next((t.completed_at for t in rows if t.status == "completed" and t.completed_at), None)
    if sent is not None:
        state, days = "sent", days_between(due, sent)
    else:
        state = "overdue" if now > due else "open" if rows else "not_started"
        days = days_between(due, now)
    return {"task": report.task, "label": report.label, "source": report.source, "stage": report.stage,
            "due_at": due.isoformat(), "sent_at": sent.isoformat() if sent else None, "state": state,
            "days_late": days}


def facts_of(session: Session, instance: Instance, with_previous: bool = True) -> tuple[profiles.Facts, list, list]:
    subs = list(session.scalars(select(Submission).where(Submission.instance_id == instance.id)
                                .order_by(Submission.id)))
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                                 .order_by(HumanTask.id)))
    kinds = list(session.scalars(select(Document.kind).where(Document.instance_id == instance.id)))
    previous = None
    if with_previous:
        earlier = history.previous_instance(session, instance)
        if earlier is not None:
            previous = facts_of(session, earlier, with_previous=False)[0]
    facts = profiles.Facts(
        service_process=instance.service_process, fiscal_year=instance.fiscal_year,
        group=instance.evaluation_group or "", progress=dict(instance.progress or {}),
        submissions=[profiles.Sent(s.bpmn_id, dict(s.data or {}), s.submitted_at) for s in subs],
        tasks=[profiles.TaskFact(t.bpmn_id, t.status, t.due_at, t.completed_at) for t in tasks],
        documents=kinds, previous=previous)
    return facts, tasks, subs


def collect(session: Session, instance: Instance, process_id: str, now: datetime,
            tz: str = "Asia/Bangkok") -> Collected:
    profile = profiles.of(process_id)
    facts, tasks, subs = facts_of(session, instance)
    cal = calendar_context.for_session(session, tz)
    out = Collected(instance.id, instance.service_process, process_id, group=instance.evaluation_group or "")
    if profile.results is not None:
        out.values = profile.results(facts)
    if profile.evidence is not None:
        out.evidence = profile.evidence(facts)
    out.lateness = _lateness(cal, instance, profile, tasks, subs, now)
    for late in out.lateness:
        if late["state"] == "sent" and late["days_late"]:
            out.days_late[late["source"]] = out.days_late.get(late["source"], 0) + late["days_late"]
    out.survey = survey_means(session, instance.agency_id, instance.service_process, instance.fiscal_year)
    out.measured = measured_year(session, instance.agency_id, instance.service_process, instance.fiscal_year)
    for corr in session.scalars(select(ScoreCorrection).where(ScoreCorrection.instance_id == instance.id)
                                .order_by(ScoreCorrection.id)):
        out.corrected[corr.indicator] = {"value": corr.value.get("value"), "reason": corr.reason}
    return out


def measured_year(session: Session, agency_id: int, service_process: str, fiscal_year: int) -> dict:
    """Requests, and the share completed within the SLA time, over the fiscal year's monthly figures."""
    end_year = fiscal_year - BE_OFFSET
    volume, within, measured = session.execute(
        select(func.coalesce(func.sum(ServiceMonth.volume), 0), func.coalesce(func.sum(ServiceMonth.within_sla), 0),
               func.coalesce(func.sum(ServiceMonth.measured), 0))
        .where(ServiceMonth.agency_id == agency_id, ServiceMonth.service_process == service_process,
               ServiceMonth.month >= date(end_year - 1, 10, 1), ServiceMonth.month <= date(end_year, 9, 1))).one()
    if not measured:
        return {"requests": int(volume)} if volume else {}
    percent = (Decimal(int(within)) * 100 / int(measured)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"requests": int(volume), "within_sla_percent": str(percent)}


def survey_means(session: Session, agency_id: int, service_process: str, fiscal_year: int) -> list:
    """Every rating mean of the fiscal year's satisfaction surveys about this agency's service."""
    return list(session.scalars(
        select(SurveyResponse.mean_rating).join(Survey, Survey.id == SurveyResponse.survey_id)
        .join(PublicSla, PublicSla.id == SurveyResponse.public_sla_id)
        .where(Survey.fiscal_year == fiscal_year, PublicSla.agency_id == agency_id,
               PublicSla.service_process == service_process)))


def instances_of_year(session: Session, fiscal_year: int, agency_ids=None):
    stmt = (select(Instance, ProcessDefinition.process_id)
            .join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
            .where(Instance.fiscal_year == fiscal_year, Instance.status != "cancelled"))
    if agency_ids is not None:
        stmt = stmt.where(Instance.agency_id.in_(agency_ids))
    return session.execute(stmt).all()


def lateness_for(session: Session, rows: list[tuple[Instance, str]], now: datetime,
                 tz: str = "Asia/Bangkok") -> dict[int, list[dict]]:
    """The lateness of every profile report of many instances in two queries (for pages of agencies)."""
    wanted = {inst.id: (inst, profiles.of(pid)) for inst, pid in rows}
    task_ids = {r.task for _, p in wanted.values() for r in p.reports}
    sent_ids = {x for _, p in wanted.values() for r in p.reports for x in r.sent_by}
    if not wanted or not task_ids:
        return {}
    tasks: dict[int, list] = {}
    for t in session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(wanted),
                                                     HumanTask.bpmn_id.in_(task_ids)).order_by(HumanTask.id)):
        tasks.setdefault(t.instance_id, []).append(t)
    subs: dict[int, list] = {}
    if sent_ids:
        for sub in session.scalars(select(Submission).where(Submission.instance_id.in_(wanted),
                                                            Submission.bpmn_id.in_(sent_ids)).order_by(Submission.id)):
            subs.setdefault(sub.instance_id, []).append(sub)
    cal = calendar_context.for_session(session, tz)
    return {iid: _lateness(cal, inst, profile, tasks.get(iid, []), subs.get(iid, []), now)
            for iid, (inst, profile) in wanted.items()}


def _lateness(cal, instance: Instance, profile: profiles.Profile, tasks, subs, now: datetime) -> list[dict]:
    items = []
    for report in profile.reports:
        planned = None
        if report.milestone and instance.status == "running":
            planned = cal.end_of(cal.due_day(instance.fiscal_year, report.milestone, profile.calendar or None))
        late = report_lateness(tasks, subs, report, now, planned)
        if late is not None:
            items.append(late)
    return items
