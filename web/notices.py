"""In-app notifications."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from engine.services import notices

from .context import engine_context, ui_lang

bp = Blueprint("notices", __name__)


@bp.route("/notifications")
@login_required
def index():
    return render_template("notifications.html", items=notices.recent(engine_context(), current_user.actor, ui_lang()))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    notices.mark_all_read(engine_context(), current_user.actor)
    return redirect(url_for("notices.index"))
