"""What a request works with: the engine context of the running app (built once by the app factory),
and the language its page is in."""
from __future__ import annotations

from flask import current_app
from flask_babel import get_locale

from engine.context import Context


def engine_context() -> Context:
    return current_app.extensions["slaflow"]


def ui_lang() -> str:
    """"th" or "en": the language of the page (what the engine's messages and formats take)."""
    return "en" if str(get_locale() or "th").startswith("en") else "th"
