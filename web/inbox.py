"""The inbox: the logged-in user's tasks and the unclaimed tasks of their roles, with filters."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from engine.services import inbox

from .context import engine_context
from .params import fiscal_year_arg, int_arg, page_arg

bp = Blueprint("inbox", __name__)
PAGE_SIZE = 50



def filters_from(args) -> inbox.Filters:
    return inbox.Filters(scope=args.get("scope", "all"), process_id=args.get("process", ""),
                         stage=args.get("stage", ""), fiscal_year=fiscal_year_arg(args.get("fy")),
                         search=args.get("q", ""), overdue_only=args.get("overdue") == "1",
                         sort=args.get("sort", "due")).normalized()


@bp.route("/")
@login_required
def index():
    ctx = engine_context()
    f = filters_from(request.args)
    page = page_arg(request.args.get("page"))
    rows, total = inbox.list_tasks(ctx, current_user.actor, PAGE_SIZE, (page - 1) * PAGE_SIZE, f)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("inbox.html", rows=rows, total=total, page=page, pages=pages, f=f,
                           options=inbox.options(ctx, current_user.actor), args=args,
                           done=int_arg(request.args.get("done")))
