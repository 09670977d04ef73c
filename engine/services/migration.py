"""Moving running instances to a newer version of their process.

An instance can move when every element it has already passed still exists in the new version and
every task it is waiting on is unchanged there. Moving prunes the not-yet-reached part of the task
tree, reloads the state on the new spec and predicts the rest from it. The chosen instances move in
one transaction: all of them, or none.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .. import audit
from ..actors import Actor, require
from ..context import Context
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Agency, Instance, ProcessVersion, utcnow
from ..roles import DESIGNER
from ..runtime import SERIALIZER
from .state import load_instance, load_workflow, save_workflow

CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Candidate:
    instance_id: int
    agency_name: str
    service_process: str
    fiscal_year: int
    from_version: int
    movable: bool
    reasons: tuple[str, ...]




def _spec_dicts(version: ProcessVersion) -> dict[str, dict]:
    import json

    data = json.loads(version.spec_json)
    specs = {data["spec"]["name"]: data["spec"]}
    specs.update(data["subprocess_specs"])
    return specs


def _comparable(task_spec: dict) -> dict:
    return {k: v for k, v in task_spec.items() if k not in ("inputs", "outputs", "lookahead")}


def _check(ctx: Context, instance: Instance, target: ProcessVersion) -> tuple[str, ...]:
    old_specs, new_specs = _spec_dicts(instance.version), _spec_dicts(target)
    wf = load_workflow(ctx, instance)
    reasons = []
    for workflow in [wf] + list(wf.subprocesses.values()):
        process = workflow.spec.name
        if process not in new_specs:
            reasons.append(f"process {process} is not in version {target.version}")
            continue
        new_tasks = new_specs[process]["task_specs"]
        for task in workflow.tasks.values():
            name = task.task_spec.name
            if task.has_state(TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR) and name not in new_tasks:
                reasons.append(f"{task.task_spec.bpmn_id or name}: already passed, no longer in the new version")
            elif task.has_state(CURRENT):
                if name not in new_tasks:
                    reasons.append(f"{task.task_spec.bpmn_id or name}: waiting here, no longer in the new version")
                elif _comparable(new_tasks[name]) != _comparable(old_specs[process]["task_specs"][name]):
                    reasons.append(f"{task.task_spec.bpmn_id or name}: waiting here, changed in the new version")
    return tuple(dict.fromkeys(reasons))


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
            wf = load_workflow(ctx, instance)
            for task in wf.get_tasks(state=CURRENT):
                task._drop_children(force=True)
            state = SERIALIZER.serialize_json(wf)
            moved = ctx.runtime.load(state, new_spec, new_subs)
            for task in moved.get_tasks(state=CURRENT):
                task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)
            before = instance.version.version
            instance.version_id = target.id
            instance.version = target
            save_workflow(s, ctx, instance, moved, now)
            audit.record(s, actor, "instance.migrate", agency_id=instance.agency_id, instance_id=instance.id,
                         before={"version": before}, after={"version": target.version})
        uow.commit()
        return len(set(instance_ids))
