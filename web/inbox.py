"""The inbox: the logged-in user's tasks and the unclaimed tasks of their roles."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from engine.services import tasks

bp = Blueprint("inbox", __name__)
PAGE_SIZE = 50


@bp.route("/")
@login_required
def index():
    from .context import engine_context

    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    rows, total = tasks.list_tasks(engine_context(), current_user.actor, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render_template("inbox.html", rows=rows, total=total, page=page, pages=pages)
