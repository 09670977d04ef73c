"""The workflow glue a deployment names (``SLAFLOW_HANDLERS``): its service-task handlers, timer
helpers, process profiles, reporting calendars and demo data. Light to import: ``bpmn check`` needs it
without a database."""
from __future__ import annotations

import importlib

from . import profiles, reporting


def load_glue(module_name: str) -> tuple[dict, dict]:
    """The workflow glue: handlers and timer helpers (returned), process profiles and reporting
    calendars (registered with the engine)."""
    module = importlib.import_module(module_name)
    profiles.install(getattr(module, "PROFILES", {}))
    reporting.install(getattr(module, "CALENDARS", {}))
    return dict(getattr(module, "HANDLERS", {})), dict(getattr(module, "HELPERS", {}))


def glue(module_name: str):
    """The workflow glue module itself (for what it declares beyond handlers, e.g. templates)."""
    return importlib.import_module(module_name)


def load_demo(module_name: str):
    """The glue's demo data module (named by its ``DEMO``), or None."""
    name = getattr(importlib.import_module(module_name), "DEMO", None)
    return importlib.import_module(name) if name else None
