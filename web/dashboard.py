"""The agency dashboard."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from engine.services import dashboard

from .context import engine_context

bp = Blueprint("dashboard", __name__)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.route("/dashboard")
@login_required
def index():
    board = dashboard.get(engine_context(), current_user.actor, _int(request.args.get("agency")),
                          _int(request.args.get("fy")))
    return render_template("dashboard.html", board=board)
