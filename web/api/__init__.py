"""REST API v1 (``/api/v1``): other government systems start workflows, work their tasks, deliver
service records and complaints, and read status, scores, published SLAs and the reporting calendar.

Authentication is a bearer token (``engine.services.api_tokens``) with scopes; the access rules are
the use cases' own, as on the web (another agency's object answers 404). Errors are
``application/problem+json`` (mapped with every other error in ``web.errors``). The OpenAPI document
is generated from the operations as they are registered (``spec``), so it cannot drift from them.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import routes  # noqa: E402,F401 - registers the operations on the blueprint
