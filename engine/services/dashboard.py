"""Agency dashboard: every workflow of an agency per fiscal year, where it stands, what is due or late."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from .. import profiles
from ..actors import Actor
from ..context import Context
from ..errors import NotFound
from ..models import Agency, Deadline, HumanTask, Instance, ProcessDefinition, utcnow
from ..scoring import collect
from . import publication, records, surveys
from .scoring import latest_schemes, penalty_so_far, scheme_for


@dataclass(frozen=True)
class Row:
    instance_id: int
    process_name: str
    service_process: str
    fiscal_year: int
    status: str
    current: list[str]
    next_due: datetime | None
    late: int
    group: str = ""                       # the evaluation group's title
    overdue: list[dict] = field(default_factory=list)   # work due to the evaluator, overdue and not sent
    penalty: dict | None = None           # days late and points lost so far on the scheme's late penalty


def _waiting_in(s, cache: dict, process_id: str, progress: dict | None) -> list[str]:
    """With no task open (waiting for a round to open, say), the stages the workflow is inside."""
    from .central import stages_of

    current = [k for k, v in (progress or {}).items() if v == "current"]
    if not current:
        return []
    if process_id not in cache:
        cache[process_id] = dict(stages_of(s, process_id))
    return [cache[process_id].get(k, k) for k in current]


@dataclass(frozen=True)
class Dashboard:
    agency_id: int
    agency_name: str
    fiscal_years: list[int]
    fiscal_year: int | None
    rows: list[Row] = field(default_factory=list)
    agencies: list[tuple[int, str]] = field(default_factory=list)  # for those who see every agency
    processes: list[tuple[str, str]] = field(default_factory=list)  # what can be started
    publications: list = field(default_factory=list)   # the agency's public SLAs
    survey: object = None                              # the agency's newest survey results
    measurement: list = field(default_factory=list)    # each service against its SLA, month by month


def get(ctx: Context, actor: Actor, agency_id: int | None = None, fiscal_year: int | None = None,
        now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    agency_id = agency_id or actor.agency_id
    with ctx.uow(write=False) as uow:
        s = uow.session
        agencies = []
        if actor.sees_all_agencies or actor.evaluates_units:
            listed = select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
            if not actor.sees_all_agencies:
                listed = listed.where(Agency.id.in_(sorted(actor.oversees)))
            agencies = [(a.id, a.name) for a in s.scalars(listed)]
            agency_id = agency_id or (agencies[0][0] if agencies else None)
        agency = s.get(Agency, agency_id) if agency_id else None
        if agency is None or not actor.can_see_agency(agency.id):
            raise NotFound("agency not found")
        years = sorted(set(s.scalars(select(Instance.fiscal_year).where(Instance.agency_id == agency.id))),
                       reverse=True)
        fy = fiscal_year if fiscal_year in years else (years[0] if years else None)
        instances = s.execute(select(Instance, ProcessDefinition.name, ProcessDefinition.process_id)
                              .join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
                              .where(Instance.agency_id == agency.id, Instance.fiscal_year == fy)
                              .order_by(ProcessDefinition.name, Instance.service_process)).all()
        ids = [inst.id for inst, _, _ in instances]
        open_tasks: dict[int, list] = {}
        for t in s.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids), HumanTask.status == "open")):
            open_tasks.setdefault(t.instance_id, []).append(t)
        next_timer = dict(s.execute(select(Deadline.instance_id, func.min(Deadline.due_at))
                                    .where(Deadline.instance_id.in_(ids), Deadline.status == "pending")
                                    .group_by(Deadline.instance_id)).all())
        lateness = collect.lateness_for(s, [(inst, pid) for inst, _, pid in instances], now, ctx.settings.timezone)
        published = latest_schemes(s, fy) if fy else []
        instances = [row for row in instances if profiles.of(row[2]).listed]
        rows = []
        stage_names: dict[str, dict[str, str]] = {}
        for inst, pname, pid in instances:
            tasks = open_tasks.get(inst.id, [])
            dues = [t.due_at for t in tasks if t.due_at] + ([next_timer[inst.id]] if inst.id in next_timer else [])
            upcoming = [d for d in dues if d >= now]
            items = lateness.get(inst.id, [])
            found = scheme_for(published, pid, inst.evaluation_group or "", inst.fiscal_year)
            current = sorted({t.name for t in tasks}) or _waiting_in(s, stage_names, pid, inst.progress)
            rows.append(Row(inst.id, pname, inst.service_process, inst.fiscal_year, inst.status,
                            current, min(upcoming) if upcoming else None,
                            sum(1 for t in tasks if t.due_at and t.due_at < now),
                            profiles.of(pid).group_title(inst.evaluation_group) if inst.evaluation_group else "",
                            [x for x in items if x["state"] == "overdue"],
                            penalty_so_far(found[0] if found else None, items)))
        main = profiles.main()
        processes = sorted(((p.process_id, p.name) for p in s.scalars(select(ProcessDefinition))),
                           key=lambda p: (not main or p[0] != main.process_id, p[1]))  # the main process first
        measured = records.measurement(s, agency.id, fy) if fy else []
    return Dashboard(agency.id, agency.name, years, fy, rows, agencies, processes,
                     publication.of_agency(ctx, actor, agency.id), surveys.latest_for_agency(ctx, actor, agency.id),
                     measured)
