"""Start and cancel workflow instances (one per agency, service process and fiscal year)."""
from __future__ import annotations

from sqlalchemy import select

from .. import history, profiles
from ..actors import Actor
from ..context import Context
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import Agency, Instance, ProcessDefinition, ProcessVersion, utcnow
from ..roles import ADMIN, CENTRAL, OFFICER, SUPERVISOR
from .state import load_instance, specs_for
from .workflow_step import step


def start(ctx: Context, actor: Actor, process_id: str, agency_id: int, service_process: str, fiscal_year: int,
          version: int | None = None, data: dict | None = None) -> int:
    service_process = (service_process or "").strip()
    if not service_process or len(service_process) > 255:
        raise InvalidInput("service process name is required (at most 255 characters)", field="service_process")
    if not 2500 <= int(fiscal_year) <= 2700:
        raise InvalidInput("fiscal year must be a Buddhist Era year", field="fiscal_year")
    if not (actor.sees_all_agencies or (actor.agency_id == agency_id and actor.roles & {OFFICER, SUPERVISOR})
            or (actor.evaluates_units and agency_id in actor.oversees)):
        raise Forbidden("you cannot start a workflow for this agency")
    with ctx.uow() as uow:
        s = uow.session
        agency = s.get(Agency, agency_id)
        if agency is None or not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        definition = s.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id))
        if definition is None:
            raise NotFound(f"process {process_id!r} is not deployed")
        number = version or definition.latest_version
        pv = s.scalar(select(ProcessVersion).where(ProcessVersion.definition_id == definition.id,
                                                   ProcessVersion.version == number))
        if pv is None:
            raise NotFound(f"version {number} of {process_id!r} is not deployed")
        duplicate = s.scalar(select(Instance.id).where(
            Instance.definition_id == definition.id, Instance.agency_id == agency_id,
            Instance.service_process == service_process, Instance.fiscal_year == fiscal_year))
        if duplicate is not None:
            raise Conflict("this agency already runs this service process for that fiscal year",
                           instance_id=duplicate)
        instance = start_in(s, ctx, actor, definition, pv, agency, service_process, int(fiscal_year), data,
                            utcnow())
        uow.commit()
        return instance.id


def cancel(ctx: Context, actor: Actor, instance_id: int, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required to cancel a workflow", field="reason")
    with ctx.uow() as uow:
        s = uow.session
        instance = load_instance(s, instance_id)
        if instance is None or not actor.can_see_agency(instance.agency_id):
            raise NotFound("instance not found")
        if not (actor.has(ADMIN) or actor.has(CENTRAL) or actor.has(SUPERVISOR)):
            raise Forbidden("only a supervisor, the central office or an administrator can cancel a workflow")
        if instance.status in ("completed", "cancelled"):
            raise Conflict(f"the workflow is already {instance.status}")
        # its tasks and timers end with it
        step(s, ctx, instance, utcnow(), ctx.runtime.cancel, cancelled=True, in_context=False, actor=actor,
             action="instance.cancel", before={"status": instance.status}, after={"status": "cancelled"},
             comment=reason)
        uow.commit()


def start_in(s, ctx: Context, actor: Actor, definition: ProcessDefinition, pv: ProcessVersion, agency: Agency,
             service_process: str, fiscal_year: int, data: dict | None, now) -> Instance:
    """Start one workflow in the caller's transaction (checks done by the caller): the instance row, the
    first run to its first wait, its tasks and timers, the audit event."""
    spec, subs = specs_for(ctx, pv)
    # what the agency did in earlier years: the evaluation group, and what carries over
    profile = profiles.of(definition.process_id)
    earlier = history.earlier_year_with(s, definition.id, agency.id, service_process, fiscal_year,
                                        profile.earlier_document) if profile.earlier_document else 0
    group = profile.group_at_start(bool(earlier)) if profile.group_at_start else ""
    initial = dict(profile.start_data(earlier)) if profile.start_data else {}
    initial.update(data or {})
    initial.update({"agency_id": agency.id, "agency_name": agency.name, "service_process": service_process,
                    "fiscal_year": fiscal_year, "revision_cap": ctx.settings.revision_cap})
    instance = Instance(definition_id=definition.id, version_id=pv.id, agency_id=agency.id,
                        service_process=service_process, fiscal_year=fiscal_year, status="running",
                        state="{}", started_by_id=actor.user_id, created_at=now, updated_at=now,
                        evaluation_group=group)
    instance.version = pv
    s.add(instance)
    s.flush()
    step(s, ctx, instance, now, ctx.runtime.advance, wf=ctx.runtime.new(spec, subs, initial), actor=actor,
         action="instance.start", after={"process_id": definition.process_id, "version": pv.version,
                                         "service_process": service_process, "fiscal_year": fiscal_year,
                                         "group": group})
    return instance


def listing(ctx: Context, actor: Actor, fiscal_year: int | None = None, agency_id: int | None = None,
            status: str = "", limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """A page of the workflows the actor may see (their agency; an evaluator's subtree; everything for
    the central office), newest first, and how many match."""
    from sqlalchemy import func

    conditions = []
    if not actor.sees_all_agencies:
        seen = {actor.agency_id, *actor.oversees} - {None}
        conditions.append(Instance.agency_id.in_(sorted(seen)))
    if agency_id is not None:
        conditions.append(Instance.agency_id == agency_id)
    if fiscal_year is not None:
        conditions.append(Instance.fiscal_year == fiscal_year)
    if status:
        conditions.append(Instance.status == status)
    with ctx.uow(write=False) as uow:
        s = uow.session
        total = s.scalar(select(func.count()).select_from(Instance).where(*conditions))
        rows = s.execute(
            select(Instance.id, Instance.agency_id, Agency.name, Instance.service_process, Instance.fiscal_year,
                   Instance.status, Instance.progress, Instance.evaluation_group, ProcessDefinition.process_id,
                   Instance.created_at, Instance.updated_at)
            .join(Agency, Agency.id == Instance.agency_id)
            .join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
            .where(*conditions).order_by(Instance.id.desc()).limit(limit).offset(offset)).all()
    return [{"id": r.id, "agency_id": r.agency_id, "agency_name": r.name, "process_id": r.process_id,
             "service_process": r.service_process, "fiscal_year": r.fiscal_year, "status": r.status,
             "stages": r.progress or {}, "evaluation_group": r.evaluation_group, "created_at": r.created_at,
             "updated_at": r.updated_at} for r in rows], total
