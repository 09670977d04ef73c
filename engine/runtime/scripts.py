"""Diagram code: SpiffWorkflow's script environment over the sandbox.

Code that provably cannot run away (conditions, counters, calls of calendar helpers) runs here under
the time limit; any other code runs in a worker process with a memory limit that is killed at the time
limit (``script_host``), so a C built-in that never returns cannot hold this process.
"""
from __future__ import annotations

from collections.abc import Callable

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .. import sandbox
from ..errors import ScriptError, SlaflowError
from ..sandbox import compile_script
from ..script_host import ScriptHost, default_host


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

        from ..errors import HandlerError

        handler = self.handlers.get(operation_name)
        if handler is None:
            raise HandlerError(f"no handler named {operation_name!r} is registered", handler=operation_name)
        from ..handler_context import CURRENT

        params = {name: p.get("value") for name, p in (operation_params or {}).items()}
        try:
            result = handler(dict(task.data), CURRENT.get(), **params)
        except Exception as exc:  # a handler's own failure becomes a typed error
            raise HandlerError(f"handler {operation_name!r} failed: {exc}", handler=operation_name) from exc
        return json.dumps(result, default=str)


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
