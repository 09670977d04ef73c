"""The engine context of the running app (built once by the app factory)."""
from __future__ import annotations

from flask import current_app

from engine.context import Context


def engine_context() -> Context:
    return current_app.extensions["slaflow"]
