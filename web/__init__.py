"""slaflow's web app (Flask): the app factory is ``web.app.create_app``.

Importing the package itself loads nothing, so the ``slaflow`` command line starts fast; ``from web
import create_app`` loads the app on first use.
"""
from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'web' has no attribute {name!r}")
