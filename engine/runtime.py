"""Load / run until user input / save a SpiffWorkflow instance.

The parsed spec of a deployed version is stored once (``ProcessVersion.spec_json``) and cached
here per version; instance state is serialized without it. The script engine is not restored by
deserialization, so it is attached again after every load.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState

from .errors import Conflict, ScriptError, SlaflowError
from .scripting import SlaflowScriptEngine


class _StateConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its spec; the spec objects are handed back in at load."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(DEFAULT_CONFIG)
    config[BpmnWorkflow] = _StateConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]),
                      typename="date")
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]), typename="Decimal")
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _make_serializer()


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


class Specs:
    """Restored spec objects per process version (specs are read-only at run time)."""

    def __init__(self, size: int = 64):
        self._cache: OrderedDict[int, tuple] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, version_id: int, spec_json: str | Callable[[], str]):
        """The restored (spec, subprocess specs) of a version; ``spec_json`` may be a loader."""
        with self._lock:
            hit = self._cache.get(version_id)
            if hit is not None:
                self._cache.move_to_end(version_id)
                return hit
        specs = specs_from_json(spec_json() if callable(spec_json) else spec_json)
        with self._lock:
            self._cache[version_id] = specs
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return specs


def specs_to_json(spec, subprocess_specs: dict) -> str:
    registry = SERIALIZER.registry
    return json.dumps({
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()},
    })


def specs_from_json(spec_json: str):
    data = json.loads(spec_json)
    registry = SERIALIZER.registry
    spec = registry.restore(data["spec"])
    subs = {name: registry.restore(s) for name, s in data["subprocess_specs"].items()}
    return spec, subs


class Runtime:
    def __init__(self, handlers: dict[str, Callable] | None = None, helpers: dict[str, Callable] | None = None,
                 script_timeout: float = 1.0):
        self.script_engine = SlaflowScriptEngine(handlers, helpers, script_timeout)
        self.specs = Specs()

    # -- lifecycle -------------------------------------------------------------------------
    def new(self, spec, subprocess_specs, data: dict | None = None) -> BpmnWorkflow:
        wf = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        if data:
            wf.data.update(data)
            for task in wf.get_tasks(state=TaskState.READY):
                task.data.update(data)
        return wf

    def load(self, state: str, spec, subprocess_specs) -> BpmnWorkflow:
        dct = json.loads(state)
        SERIALIZER.migrate(dct)
        dct["spec"] = spec
        dct["subprocess_specs"] = subprocess_specs
        wf = SERIALIZER.from_dict(dct)
        wf.script_engine = self.script_engine
        return wf

    def dump(self, wf: BpmnWorkflow) -> str:
        """The instance's state, without the tasks of loop iterations that are over (``compact``)."""
        compact(wf)
        return SERIALIZER.serialize_json(wf)

    def advance(self, wf: BpmnWorkflow) -> None:
        """Run engine steps (scripts, gateways, service tasks, due timers) to the next wait state."""
        with translate_errors():
            wf.refresh_timers()
            wf.do_engine_steps()

    def complete(self, wf: BpmnWorkflow, spiff_task_id: str, data: dict) -> None:
        task = find_ready_user_task(wf, spiff_task_id)
        with translate_errors():
            task.data.update(data)
            task.run()
            wf.do_engine_steps()

    def cancel(self, wf: BpmnWorkflow) -> None:
        wf.cancel()

    # -- views -----------------------------------------------------------------------------
    @classmethod
    def ready_user_tasks(cls, wf: BpmnWorkflow) -> list[UserTaskView]:
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        due_by_task = cls._boundary_due_dates(ready)
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

    @staticmethod
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

    @staticmethod
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

    @staticmethod
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

    @staticmethod
    def has_waiting_events(wf: BpmnWorkflow) -> bool:
        return bool(_waiting_event_tasks(wf))


_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR


def compact(wf: BpmnWorkflow) -> int:
    """Drop the tasks of loop iterations that are over, in the workflow and its sub-workflows; returns
    how many were dropped.

    A send-back or a report round re-enters a part of the diagram, and SpiffWorkflow keeps every earlier
    pass in the task tree, so an instance's state would grow by every round forever. A finished task is
    dropped when a later task of the same element lies below it on the path to a task still to run: it
    belongs to a pass that is over. Its one continuing child takes its place under its parent (the
    serializer then stores the child's data against the new parent), and its other branches, finished
    all through (a boundary timer cancelled when its task was done, or one that fired and ran its path
    to the end), go with it. What stays: the newest pass
    of every element (what the instance page marks done), every task still to run and its parent
    (boundary events are its siblings), the root, the last task and the tasks that own sub-workflows.
    Earlier passes live on in the database (submissions, the timeline, the audit trail).
    """
    owners = set(wf.subprocesses)
    return sum(_compact_one(w, owners) for w in (wf, *wf.subprocesses.values()))


def _compact_one(workflow, owners: set) -> int:
    tasks = workflow.tasks
    keep = set(owners)
    for anchor in (workflow.task_tree, workflow.last_task):
        if anchor is not None:
            keep.add(anchor.id)
    live = [t for t in tasks.values() if not t.has_state(_FINISHED)]
    keep.update(t.id for t in live)
    keep.update(t.parent.id for t in live if t.parent is not None)
    candidates, visited = [], set()
    for task in live:
        below = {task.task_spec}
        ancestor = task.parent
        while ancestor is not None and ancestor.id not in visited:
            visited.add(ancestor.id)
            if ancestor.task_spec in below and ancestor.id not in keep:
                candidates.append(ancestor.id)
            below.add(ancestor.task_spec)
            ancestor = ancestor.parent
    dropped = 0
    for tid in candidates:
        task = tasks.get(tid)
        parent = task.parent if task is not None else None
        if parent is None:
            continue
        continuing = [c for c in task.children if not _dead(c, keep)]
        if len(continuing) != 1:
            continue
        child = continuing[0]
        parent.children = [child if c is task else c for c in parent.children]
        child.parent = parent
        gone = [task]
        for branch in task.children:
            if branch is not child:
                gone.extend(_subtree(branch))
        for dead in gone:
            del tasks[dead.id]
        dropped += len(gone)
    return dropped


def _subtree(task) -> list:
    out, stack = [], [task]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out


def _dead(task, keep: set) -> bool:
    """A branch whose every task is finished and needed by nothing (a boundary timer's path that ran)."""
    return all(t.has_state(_FINISHED) and t.id not in keep for t in _subtree(task))


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


class translate_errors:
    """Turn SpiffWorkflow's wrapped exceptions into the engine's typed errors."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None or isinstance(exc, SlaflowError):
            return False
        inner = exc
        while inner is not None and not isinstance(inner, SlaflowError):
            inner = getattr(inner, "exception", None) or inner.__cause__ or inner.__context__
        where = ""
        spec = getattr(getattr(exc, "task", None), "task_spec", None) or getattr(exc, "task_spec", None)
        if spec is not None:
            where = f" [{getattr(spec, 'bpmn_id', None) or spec.name}]"
        if isinstance(inner, SlaflowError):
            inner.message = inner.message + where
            raise inner from exc
        if isinstance(exc, (SpiffWorkflowException, Exception)):
            message = getattr(exc, "error_msg", None) or str(exc)
            raise ScriptError(message + where) from exc
        return False

