"""The runtime: new, load, run, save a workflow; everything else it offers lives beside it."""
from __future__ import annotations

import json
from collections.abc import Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from . import versions, views
from .compaction import compact
from .scripts import SlaflowScriptEngine, translate_errors
from .serialization import SERIALIZER, Specs
from .views import DateTimer, find_ready_user_task


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
    ready_user_tasks = staticmethod(views.ready_user_tasks)
    timers = staticmethod(views.timers)
    top_level_progress = staticmethod(views.top_level_progress)
    has_waiting_events = staticmethod(views.has_waiting_events)
    element_states = staticmethod(views.element_states)
    ready_task_data = staticmethod(views.ready_task_data)
    date_timers = staticmethod(views.date_timers)

    def evaluate_for(self, timer: DateTimer, expression: str):
        """Evaluate a timer expression with the timer task's data, as the workflow would."""
        return self.script_engine.evaluate(timer.task, expression)

    # -- moving to a new version ---------------------------------------------------------------------
    migration_problems = staticmethod(versions.migration_problems)
    migrate = staticmethod(versions.migrate)
