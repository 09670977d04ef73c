"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, schema, scheduler), for load
balancers and container orchestrators; no login, nothing private."""
from __future__ import annotations

from flask import Blueprint, jsonify

from engine.services import operations

from .context import engine_context

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    return jsonify({"alive": True}), 200, {"Cache-Control": "no-store"}


@bp.route("/readyz")
def readyz():
    state = operations.readiness(engine_context())
    return jsonify(state), 200 if state["ready"] else 503, {"Cache-Control": "no-store"}
