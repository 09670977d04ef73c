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

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState

from . import sandbox
from .errors import Conflict, ScriptError, SlaflowError
from .sandbox import compile_script
from .script_host import ScriptHost, default_host

# -- parsing diagrams ---------------------------------------------------------------------------------

SUPPORTED_TAGS = frozenset(
    etree.QName(tag).localname
    for tag in list(SpiffBpmnParser.PARSER_CLASSES) + list(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES)
)  # the BPMN elements the engine can run


class SpecParseError(Exception):
    """The workflow library refused a diagram; where, when it says."""

    def __init__(self, detail: str, element_id: str = "", element_name: str = "", filename: str = ""):
        super().__init__(detail)
        self.detail, self.element_id, self.element_name, self.filename = detail, element_id, element_name, filename


def bpmn_schema():
    """The BPMN 2.0 XML schema (with the Spiff extensions) as an lxml ``XMLSchema``."""
    return VALIDATOR.validator


def parse_specs(trees: dict, process_id: str):
    """The (spec, subprocess specs) of ``process_id`` from parsed BPMN documents {file name: lxml tree}."""
    parser = SpiffBpmnParser()
    try:
        for name, tree in trees.items():
            parser.add_bpmn_xml(tree, name)
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise SpecParseError(str(exc).splitlines()[0], getattr(exc, "id", "") or "", getattr(exc, "name", "") or "",
                             getattr(exc, "file_name", "") or "") from None


def check_timer_text(kind: str, value: str) -> None:
    """Raise ValueError unless ``value`` is what a timer of ``kind`` (timeDate, timeDuration, timeCycle)
    takes: an ISO 8601 date and time, duration or repeating interval."""
    if kind == "timeDate":
        TimerEventDefinition.parse_time_or_duration(value)
    elif kind == "timeDuration":
        TimerEventDefinition.parse_iso_duration(value)
    else:
        TimerEventDefinition.parse_iso_recurring_interval(value)


# -- diagram code: SpiffWorkflow's script environment over the sandbox ------------------------------------
# Code that provably cannot run away (conditions, counters, calls of calendar helpers) runs here under
# the time limit; any other code runs in a worker process with a memory limit that is killed at the time
# limit (``script_host``), so a C built-in that never returns cannot hold this process.

class RestrictedEnvironment(TaskDataEnvironment):
    """Evaluates through RestrictedPython with a time limit; unbounded code in a worker process."""

    def __init__(self, helpers: dict[str, Callable] | None = None, timeout: float = 1.0,
                 host: ScriptHost | None = None):
        self.helpers = dict(helpers or {})
        super().__init__(sandbox.environment_globals(self.helpers))
        self.timeout = timeout
        self.host = host
        self._helper_names = frozenset(name for name, fn in self.helpers.items() if callable(fn))

    def _host(self) -> ScriptHost:
        return self.host or default_host()

    def evaluate(self, expression, context, external_context=None):
        source = expression.strip()
        compile_script(source, "eval")  # refused code is refused here, before any worker is involved
        data = dict(external_context or {})
        data.update(context)
        if sandbox.is_bounded(source, "eval", self._helper_names):
            return sandbox.evaluate(source, self.globals, data, self.timeout)
        return self._host().run("eval", source, data, self.helpers, self.timeout)

    def execute(self, script, context, external_context=None):
        compile_script(script, "exec")
        self.check_for_overwrite(context, external_context or {})
        external = external_context or {}
        if sandbox.is_bounded(script, "exec", self._helper_names):
            work = dict(context)
            work.update(external)
            sandbox.execute(script, self.globals, work, self.timeout)
        else:
            data = dict(context)
            data.update(external)
            work = self._host().run("exec", script, data, self.helpers, self.timeout)
        for key in external:
            work.pop(key, None)
        context.clear()
        context.update(work)
        return True


class SlaflowScriptEngine(PythonScriptEngine):
    """Script engine with restricted evaluation and service tasks dispatched to registered handlers."""

    def __init__(self, handlers: dict[str, Callable] | None = None, helpers: dict[str, Callable] | None = None,
                 timeout: float = 1.0):
        super().__init__(environment=RestrictedEnvironment(helpers, timeout))
        self.handlers = handlers or {}

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        import json

        from .errors import HandlerError

        handler = self.handlers.get(operation_name)
        if handler is None:
            raise HandlerError(f"no handler named {operation_name!r} is registered", handler=operation_name)
        from .handler_context import CURRENT

        params = {name: p.get("value") for name, p in (operation_params or {}).items()}
        try:
            result = handler(dict(task.data), CURRENT.get(), **params)
        except Exception as exc:  # a handler's own failure becomes a typed error
            raise HandlerError(f"handler {operation_name!r} failed: {exc}", handler=operation_name) from exc
        return json.dumps(result, default=str)


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

    @staticmethod
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

    @staticmethod
    def ready_task_data(wf: BpmnWorkflow, spiff_task_id: str) -> dict | None:
        """The data a ready user task holds (what its form is shown with), or None."""
        for task in wf.get_tasks(state=TaskState.READY, manual=True):
            if str(task.id) == spiff_task_id:
                return task.data
        return None

    # -- timers set on a date (the ones the calendars decide) ----------------------------------------
    @staticmethod
    def date_timers(wf: BpmnWorkflow) -> list[DateTimer]:
        """The waiting timers of the workflow and every called process that are set on a date."""
        return [DateTimer(task) for task in wf.get_tasks(state=TaskState.WAITING)
                if isinstance(getattr(task.task_spec, "event_definition", None), TimeDateEventDefinition)]

    def evaluate_for(self, timer: DateTimer, expression: str):
        """Evaluate a timer expression with the timer task's data, as the workflow would."""
        return self.script_engine.evaluate(timer.task, expression)

    # -- moving to a new version ---------------------------------------------------------------------
    @staticmethod
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
                if task.has_state(_FINISHED) and new is None:
                    reasons.append(f"{label}: already passed, no longer in the new version")
                elif task.has_state(_CURRENT):
                    if new is None:
                        reasons.append(f"{label}: waiting here, no longer in the new version")
                    elif _comparable(registry.convert(new)) != _comparable(registry.convert(task.task_spec)):
                        reasons.append(f"{label}: waiting here, changed in the new version")
        return list(dict.fromkeys(reasons))

    def migrate(self, wf: BpmnWorkflow, new_spec, new_subs: dict) -> BpmnWorkflow:
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


_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR
_CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


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


def _comparable(task_spec: dict) -> dict:
    return {k: v for k, v in task_spec.items() if k not in ("inputs", "outputs", "lookahead")}


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

