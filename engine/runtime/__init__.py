"""Load / run until user input / save a SpiffWorkflow instance: the one place that speaks to SpiffWorkflow.

The parsed spec of a deployed version is stored once (``ProcessVersion.spec_json``) and cached
per version (``serialization.Specs``); instance state is serialized without it. The script engine is
not restored by deserialization, so it is attached again after every load.

    parsing        diagrams into specs; the elements the engine runs
    scripts        diagram code in the sandbox; SpiffWorkflow's errors into the engine's
    serialization  state and specs to JSON and back
    views          what the engine reads off a workflow (ready tasks, timers, progress)
    compaction     dropping loop iterations that are over
    versions       moving a workflow to a new version
    workflows      the ``Runtime`` the rest of the engine holds
"""
from .compaction import compact
from .parsing import SUPPORTED_TAGS, SpecParseError, bpmn_schema, check_timer_text, parse_specs
from .scripts import RestrictedEnvironment, SlaflowScriptEngine, translate_errors
from .serialization import SERIALIZER, Specs, specs_from_json, specs_to_json
from .views import DateTimer, TimerView, UserTaskView, find_ready_user_task
from .workflows import Runtime

__all__ = [
    "SERIALIZER", "SUPPORTED_TAGS", "DateTimer", "RestrictedEnvironment", "Runtime", "SlaflowScriptEngine",
    "SpecParseError", "Specs", "TimerView", "UserTaskView", "bpmn_schema", "check_timer_text", "compact",
    "find_ready_user_task", "parse_specs", "specs_from_json", "specs_to_json", "translate_errors",
]
