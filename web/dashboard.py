"""The agency dashboard."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from engine.services import dashboard

from .context import engine_context
from .params import int_arg

bp = Blueprint("dashboard", __name__)



@bp.route("/dashboard")
@login_required
def index():
    board = dashboard.get(engine_context(), current_user.actor, int_arg(request.args.get("agency")),
                          int_arg(request.args.get("fy")))
    return render_template("dashboard.html", board=board)
