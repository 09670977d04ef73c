"""Moving running instances to a newer version of their process.

An instance can move when every element it has already passed still exists in the new version and
every task it is waiting on is unchanged there. Moving prunes the not-yet-reached part of the task
tree, reloads the state on the new spec and predicts the rest from it. The chosen instances move in
one transaction: all of them, or none.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..actors import Actor, require
from ..context import Context
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Agency, Instance, ProcessVersion, utcnow
from ..roles import DESIGNER
from .state import load_instance, load_workflow
from .workflow_step import step


@dataclass(frozen=True)
class Candidate:
    instance_id: int
    agency_name: str
    service_process: str
    fiscal_year: int
    from_version: int
    movable: bool
    reasons: tuple[str, ...]




def _check(ctx: Context, instance: Instance, target: ProcessVersion) -> tuple[str, ...]:
    new_spec, new_subs = ctx.runtime.specs.get(target.id, lambda: target.spec_json)
    return tuple(ctx.runtime.migration_problems(load_workflow(ctx, instance), new_spec, new_subs))


def preview(ctx: Context, actor: Actor, version_id: int) -> list[Candidate]:
    """Running instances on older versions of this process, and whether each can move to ``version_id``."""
    require(actor, DESIGNER, what="migrate instances")
    with ctx.uow(write=False) as uow:
        s = uow.session
        target = s.get(ProcessVersion, version_id)
        if target is None:
            raise NotFound("version not found")
        rows = s.execute(select(Instance, Agency.name).join(Agency, Agency.id == Instance.agency_id)
                         .where(Instance.definition_id == target.definition_id,
                                Instance.version_id != target.id, Instance.status.in_(("running", "stalled")))
                         .order_by(Agency.name, Instance.id)).all()
        out = []
        for instance, agency in rows:
            reasons = _check(ctx, instance, target)
            out.append(Candidate(instance.id, agency, instance.service_process, instance.fiscal_year,
                                 instance.version.version, not reasons, reasons))
        return out


def migrate(ctx: Context, actor: Actor, version_id: int, instance_ids: list[int]) -> int:
    """Move the chosen instances to ``version_id`` in one transaction; any that cannot move: none move."""
    require(actor, DESIGNER, what="migrate instances")
    if not instance_ids:
        raise InvalidInput("choose at least one instance", field="instances")
    with ctx.uow() as uow:
        s = uow.session
        target = s.get(ProcessVersion, version_id)
        if target is None:
            raise NotFound("version not found")
        new_spec, new_subs = ctx.runtime.specs.get(target.id, lambda: target.spec_json)
        now = utcnow()
        for instance_id in sorted(set(instance_ids)):
            instance = load_instance(s, instance_id)
            if instance is None or instance.definition_id != target.definition_id:
                raise NotFound(f"instance {instance_id} is not an instance of this process")
            if instance.status not in ("running", "stalled") or instance.version_id == target.id:
                raise Conflict(f"instance {instance_id} cannot move (status {instance.status})")
            reasons = _check(ctx, instance, target)
            if reasons:
                raise Conflict(f"instance {instance_id} cannot move: {'; '.join(reasons)}")
            wf = load_workflow(ctx, instance)  # on the version it runs now
            before = instance.version.version
            instance.version_id = target.id
            instance.version = target
            step(s, ctx, instance, now, lambda wf: ctx.runtime.migrate(wf, new_spec, new_subs), wf=wf,
                 in_context=False, actor=actor, action="instance.migrate", before={"version": before},
                 after={"version": target.version})
        uow.commit()
        return len(set(instance_ids))
