"""Moving a running workflow to a new version of its diagrams."""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .serialization import SERIALIZER
from .views import CURRENT, FINISHED


def migration_problems(wf: BpmnWorkflow, new_spec, new_subs: dict) -> list[str]:
    """Why the workflow cannot move to the new specs: an element it passed is gone, or one it waits
    at is gone or changed (its links to other elements may change)."""
    registry = SERIALIZER.registry
    reasons: list[str] = []
    for workflow in (wf, *wf.subprocesses.values()):
        name = workflow.spec.name
        target = new_spec if workflow is wf else new_subs.get(name)
        if target is None or (workflow is wf and target.name != name):
            reasons.append(f"process {name} is not in the new version")
            continue
        for task in workflow.tasks.values():
            label = task.task_spec.bpmn_id or task.task_spec.name
            new = target.task_specs.get(task.task_spec.name)
            if task.has_state(FINISHED) and new is None:
                reasons.append(f"{label}: already passed, no longer in the new version")
            elif task.has_state(CURRENT):
                if new is None:
                    reasons.append(f"{label}: waiting here, no longer in the new version")
                elif _comparable(registry.convert(new)) != _comparable(registry.convert(task.task_spec)):
                    reasons.append(f"{label}: waiting here, changed in the new version")
    return list(dict.fromkeys(reasons))


def migrate(wf: BpmnWorkflow, new_spec, new_subs: dict) -> BpmnWorkflow:
    """The workflow on the new specs (check ``migration_problems`` first): every task takes the new
    version's element of the same id, and the ready tasks are predicted again from the new diagram
    (waiting timers keep their due dates)."""
    top, subs = diff_workflow(SERIALIZER.registry, wf, new_spec, new_subs)
    for sub_id, diff in subs.items():
        sub = wf.subprocesses[sub_id]
        migrate_workflow(diff, sub, new_subs[sub.spec.name], reset_mask=TaskState.READY)
    migrate_workflow(top, wf, new_spec, reset_mask=TaskState.READY)
    wf.subprocess_specs = new_subs
    return wf


def _comparable(task_spec: dict) -> dict:
    return {k: v for k, v in task_spec.items() if k not in ("inputs", "outputs", "lookahead")}
