"""Read model of one task's page: its form, draft or submitted data, earlier work for reference,
the review rounds so far, and what the viewer may do with it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from .. import history, profiles
from ..actors import Actor
from ..context import Context
from ..errors import NotFound
from ..models import HumanTask, Instance, ProcessDefinition, Submission, User
from .state import load_workflow


@dataclass(frozen=True)
class Reference:
    bpmn_id: str
    name: str
    schema: dict
    data: dict
    submitted_at: datetime
    submitted_by: str
    fiscal_year: int | None = None  # set when it comes from the same work's previous fiscal year


@dataclass(frozen=True)
class ReviewRound:
    task_name: str
    decision: str
    comment: str
    at: datetime
    by: str


@dataclass(frozen=True)
class TaskPage:
    id: int
    instance_id: int
    bpmn_id: str
    name: str
    role: str
    status: str
    instructions: str
    created_at: datetime
    due_at: datetime | None
    assignee_id: int | None
    assignee_name: str
    agency_name: str
    service_process: str
    fiscal_year: int
    process_name: str
    schema: dict
    data: dict
    returned_comment: str
    can_work: bool
    references: list[Reference] = field(default_factory=list)
    offers_poster: bool = False
    reviews: list[ReviewRound] = field(default_factory=list)

    @property
    def readonly(self) -> bool:
        return not self.can_work


def _measured(s, instance: Instance, tz: str) -> dict | None:
    """The service's figures from its records, from the start of the fiscal year to now."""
    from zoneinfo import ZoneInfo

    from ..models import utcnow
    from . import records

    today = utcnow().astimezone(ZoneInfo(tz)).date()
    found = next((m for m in records.measurement(s, instance.agency_id, instance.fiscal_year, today)
                  if m.service_process == instance.service_process), None)
    if found is None or not found.volume:
        return None
    months = [m for m in found.months if m.median is not None]
    units = {"minutes": "นาที", "working_hours": "ชั่วโมงทำการ", "working_days": "วันทำการ"}
    first, last = found.months[0].month, found.months[-1].month
    out = {"period": f"{first.month:02d}/{first.year + 543} – {last.month:02d}/{last.year + 543}",
           "requests": found.volume,
           "unit": units.get(found.unit, found.unit), "defects": found.defects}
    if found.within_percent is not None:
        out["within_percent"] = float(found.within_percent)
    if months:
        out["median"] = float(months[-1].median)
        out["p90"] = float(months[-1].p90)
    return out


def _last_year(s, instance: Instance, this_year: dict, is_decision) -> list[Reference]:
    """Last year's work on the same service process (its SLA, plan and reports) where this year has
    none yet: a year that keeps its SLA builds on it."""
    earlier = history.previous_instance(s, instance)
    if earlier is None:
        return []
    forms = earlier.version.forms
    rows = s.execute(select(Submission, HumanTask.name, HumanTask.form)
                     .join(HumanTask, HumanTask.id == Submission.task_id)
                     .where(Submission.instance_id == earlier.id).order_by(Submission.id)).all()
    found: dict[str, Reference] = {}
    for sub, name, form in rows:
        if sub.bpmn_id not in this_year and not is_decision(form):
            found[sub.bpmn_id] = Reference(sub.bpmn_id, name, forms.get(form) or {}, dict(sub.data),
                                           sub.submitted_at, "", earlier.fiscal_year)
    return sorted(found.values(), key=lambda r: r.submitted_at, reverse=True)


def get(ctx: Context, actor: Actor, task_id: int) -> TaskPage:
    with ctx.uow(write=False) as uow:
        s = uow.session
        task = s.get(HumanTask, task_id)
        if task is None or not actor.can_see_agency(task.agency_id):
            raise NotFound("task not found")
        instance = s.get(Instance, task.instance_id)
        forms = instance.version.forms
        definition = s.get(ProcessDefinition, instance.definition_id)
        # decision forms (reviews, escalations) are history, never prefilled
        is_decision = profiles.of(definition.process_id).is_decision
        rows = s.execute(select(Submission, HumanTask.name, HumanTask.form)
                         .join(HumanTask, HumanTask.id == Submission.task_id)
                         .where(Submission.instance_id == instance.id).order_by(Submission.id)).all()
        user_ids = {sub.submitted_by_id for sub, _, _ in rows} | {task.assignee_id}
        names = {uid: name for uid, name in
                 s.execute(select(User.id, User.display_name).where(User.id.in_(user_ids - {None})))}
        data, references, reviews, latest = dict(task.draft or {}), [], [], {}
        previous_round = None
        for sub, name, form in rows:
            if sub.task_id == task.id:
                data = dict(sub.data)
            elif sub.bpmn_id == task.bpmn_id and not is_decision(form):
                previous_round = sub.data  # the same step submitted before (a sent-back task)
            if "decision" in sub.data and is_decision(form):
                reviews.append(ReviewRound(name, sub.data.get("decision", ""), sub.data.get("comment", ""),
                                           sub.submitted_at, names.get(sub.submitted_by_id, "")))
            elif sub.task_id != task.id:
                latest[sub.bpmn_id] = Reference(sub.bpmn_id, name, forms.get(form) or {}, dict(sub.data),
                                                sub.submitted_at, names.get(sub.submitted_by_id, ""))
        references = sorted(latest.values(), key=lambda r: r.submitted_at, reverse=True)
        references += _last_year(s, instance, latest, is_decision)
        if task.status == "open" and task.draft is None and previous_round is not None:
            data = dict(previous_round)  # a returned task starts from what was sent, to be fixed
        profile = profiles.of(definition.process_id)
        if task.status == "open" and task.bpmn_id in profile.measure_tasks and "measured" not in data:
            measured = _measured(s, instance, ctx.settings.timezone)
            if measured:
                data["measured"] = measured
        returned = ""
        if task.status == "open":
            wf = load_workflow(ctx, instance)
            held = ctx.runtime.ready_task_data(wf, task.spiff_task_id) or {}
            returned = str(held.get("returned_comment") or "")
        can_work = task.status == "open" and actor.can_do(task.role, task.agency_id) and \
            task.assignee_id in (None, actor.user_id)
        process_name = definition.name
        return TaskPage(
            id=task.id, instance_id=instance.id, bpmn_id=task.bpmn_id, name=task.name, role=task.role,
            status=task.status, instructions=task.instructions, created_at=task.created_at, due_at=task.due_at,
            assignee_id=task.assignee_id, assignee_name=names.get(task.assignee_id, ""),
            agency_name=instance.agency.name, service_process=instance.service_process,
            fiscal_year=instance.fiscal_year, process_name=process_name, schema=forms.get(task.form) or {},
            data=data, returned_comment=returned, can_work=can_work, references=references, reviews=reviews,
            offers_poster=task.bpmn_id in profiles.of(definition.process_id).poster_tasks)
