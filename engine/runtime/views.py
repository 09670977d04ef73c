"""What the engine reads off a running workflow: ready user tasks, timers, progress, element states."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from ..errors import Conflict

FINISHED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR
CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class UserTaskView:
    spiff_task_id: str
    bpmn_id: str
    name: str
    lane: str
    form: str
    instructions: str
    due_at: datetime | None = None  # from a timer boundary event on the task, if it has one


@dataclass(frozen=True)
class TimerView:
    spiff_task_id: str
    bpmn_id: str
    due_at: datetime
    expression: str = ""


def ready_user_tasks(wf: BpmnWorkflow) -> list[UserTaskView]:
    ready = wf.get_tasks(state=TaskState.READY, manual=True)
    due_by_task = _boundary_due_dates(ready)
    views = []
    for task in ready:
        spec = task.task_spec
        ext = getattr(spec, "extensions", {}) or {}
        views.append(UserTaskView(
            spiff_task_id=str(task.id),
            bpmn_id=spec.bpmn_id or spec.name,
            name=spec.bpmn_name or spec.bpmn_id or spec.name,
            lane=spec.lane or "",
            form=(ext.get("properties") or {}).get("formJsonSchemaFilename", ""),
            instructions=ext.get("instructionsForEndUser") or "",
            due_at=due_by_task.get(task.id),
        ))
    return views


def _boundary_due_dates(ready) -> dict:
    """A user task's due date is the earliest timer boundary event attached to it, waiting or
    already fired (a task sent back after its due date is still due on that date)."""
    due: dict = {}
    for task in ready:
        if task.parent is None:
            continue
        for sibling in task.parent.children:
            definition = getattr(sibling.task_spec, "event_definition", None)
            if sibling is task or not isinstance(definition, TimerEventDefinition):
                continue
            when = _parse_due(definition.details(sibling).value)
            if when is not None:
                due[task.id] = min(due.get(task.id, when), when)
    return due


def timers(wf: BpmnWorkflow) -> list[TimerView]:
    out = []
    for task in _waiting_event_tasks(wf):
        definition = task.task_spec.event_definition
        if not isinstance(definition, TimerEventDefinition):
            continue
        value = definition.details(task).value
        if value is None:
            continue
        due = _parse_due(value)
        if due is not None:
            out.append(TimerView(str(task.id), task.task_spec.bpmn_id or task.task_spec.name, due,
                                 getattr(definition, "expression", "") or ""))
    return out


def top_level_progress(wf: BpmnWorkflow) -> dict[str, str]:
    """{bpmn id: "done" | "current"} for the top process's activities (stages are call activities)."""
    progress: dict[str, str] = {}
    for task in wf.tasks.values():
        spec = task.task_spec
        if not getattr(spec, "bpmn_id", None) or not (spec.manual or hasattr(spec, "spec")):
            continue
        if task.state == TaskState.COMPLETED:
            progress.setdefault(spec.bpmn_id, "done")
        elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            progress[spec.bpmn_id] = "current"
    return progress


def has_waiting_events(wf: BpmnWorkflow) -> bool:
    return bool(_waiting_event_tasks(wf))


def element_states(wf: BpmnWorkflow) -> dict[str, dict[str, str]]:
    """{process id: {bpmn id: "done" | "current"}} over the workflow and its called processes."""
    states: dict[str, dict[str, str]] = {}
    for workflow in (wf, *wf.subprocesses.values()):
        process = workflow.spec.name
        for task in workflow.tasks.values():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            if task.state == TaskState.COMPLETED:
                states.setdefault(process, {}).setdefault(bpmn_id, "done")
            elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.ERROR):
                states.setdefault(process, {})[bpmn_id] = "current"
    return states


def ready_task_data(wf: BpmnWorkflow, spiff_task_id: str) -> dict | None:
    """The data a ready user task holds (what its form is shown with), or None."""
    for task in wf.get_tasks(state=TaskState.READY, manual=True):
        if str(task.id) == spiff_task_id:
            return task.data
    return None


def date_timers(wf: BpmnWorkflow) -> list[DateTimer]:
    """The waiting timers of the workflow and every called process that are set on a date."""
    return [DateTimer(task) for task in wf.get_tasks(state=TaskState.WAITING)
            if isinstance(getattr(task.task_spec, "event_definition", None), TimeDateEventDefinition)]


@dataclass(frozen=True)
class DateTimer:
    """A waiting timer set on a date: its task id, element, and the moment it is set for."""

    task: object

    @property
    def id(self) -> str:
        return str(self.task.id)

    @property
    def value(self):
        return self.task.internal_data.get("event_value")

    def move_to(self, value) -> None:
        self.task.internal_data["event_value"] = value


def _waiting_event_tasks(wf: BpmnWorkflow):
    tasks = list(wf.event_manager.tasks.values())
    for sub in wf.subprocesses.values():
        tasks += list(sub.event_manager.tasks.values()) if hasattr(sub, "event_manager") else []
    return [t for t in tasks if not t.has_state(TaskState.FINISHED_MASK)]


def _parse_due(value) -> datetime | None:
    if isinstance(value, dict):  # cycle timers: {"cycles", "next", "duration"}
        value = value.get("next")
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    if isinstance(value, str):
        try:
            return TimerEventDefinition.get_datetime(value)
        except ValueError:
            return None
    return None


def find_ready_user_task(wf: BpmnWorkflow, spiff_task_id: str):
    from uuid import UUID

    try:
        task = wf.get_task_from_id(UUID(spiff_task_id))
    except (ValueError, KeyError, TypeError):
        task = None
    if task is None or not task.task_spec.manual or task.state != TaskState.READY:
        raise Conflict("the task is no longer waiting for input", task=spiff_task_id)
    return task
