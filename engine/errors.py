"""Typed errors raised by the engine's use cases; web/ maps them to HTTP in one place."""
from __future__ import annotations


class SlaflowError(Exception):
    """Base of every error a use case raises on purpose."""

    code = "error"

    def __init__(self, message: str = "", **details):
        super().__init__(message or self.__class__.__name__)
        self.message = message or self.__class__.__name__
        self.details = details


class NotFound(SlaflowError):
    code = "not_found"


class Forbidden(SlaflowError):
    code = "forbidden"


class Conflict(SlaflowError):
    """Someone else changed the record first, or it is no longer in a state that allows this."""

    code = "conflict"


class Unavailable(SlaflowError):
    """The database cannot take the request now (locked, read-only, unreachable): try again shortly."""

    code = "unavailable"


class InvalidInput(SlaflowError):
    code = "invalid_input"


class FormInvalid(InvalidInput):
    """Submitted data does not match the task's JSON Schema; ``errors`` maps field path -> messages."""

    code = "form_invalid"

    def __init__(self, errors: dict[str, list[str]], message: str = "form data is invalid"):
        super().__init__(message, errors=errors)
        self.errors = errors


class BpmnInvalid(InvalidInput):
    """A BPMN file could not be loaded or has lint errors; ``problems`` lists them by element."""

    code = "bpmn_invalid"

    def __init__(self, problems, message: str = "BPMN is not executable"):
        super().__init__(message, problems=problems)
        self.problems = list(problems)


class ScriptError(SlaflowError):
    """A script or expression in a diagram failed; the instance was left where it was."""

    code = "script_error"


class ScriptTimeout(ScriptError):
    code = "script_timeout"


class HandlerError(SlaflowError):
    """A service-task handler is missing or failed."""

    code = "handler_error"
