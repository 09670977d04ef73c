"""The agency dashboard."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.clock import utcnow
from engine.fiscal import fiscal_year_of
from engine.services import dashboard, instances
from engine.thaidate import be_month

from .context import engine_context, ui_lang
from .params import fiscal_year_arg, int_arg

bp = Blueprint("dashboard", __name__)



@bp.route("/dashboard")
@login_required
def index():
    return _page(int_arg(request.args.get("agency")), fiscal_year_arg(request.args.get("fy")))


def _page(agency_id, fiscal_year, start: dict | None = None, status: int = 200):
    board = dashboard.get(engine_context(), current_user.actor, agency_id, fiscal_year)
    months = sorted({r.month for m in board.measurement for r in m.months})
    chart = {"months": [be_month(m, ui_lang()) for m in months],
             "series": [m.service_process for m in board.measurement],
             "values": [[next((r.within_percent for r in m.months if r.month == month), None) for month in months]
                        for m in board.measurement]}
    return render_template("dashboard.html", board=board, chart=chart, start=start or {}), status


@bp.route("/dashboard/start", methods=["POST"])
@login_required
def start():
    """Start a workflow; what was typed stays on the form when it cannot start, with why."""
    from engine.errors import Conflict, InvalidInput

    agency_id = int_arg(request.form.get("agency")) or current_user.actor.agency_id
    start = {k: request.form.get(k, "").strip() for k in ("process", "service_process", "fy")}
    this_year = fiscal_year_of(utcnow().date())
    typed = int_arg(start["fy"]) if start["fy"] else this_year
    if typed is None or not 2500 <= typed <= 2700:
        suggestion = typed + 543 if typed is not None and 1957 <= typed <= 2157 else this_year
        start["error"] = _("Give the fiscal year in the Buddhist Era, e.g. %(fy)s.", fy=suggestion)
        return _page(agency_id, None, start, 400)
    try:
        instance_id = instances.start(engine_context(), current_user.actor, start["process"], agency_id,
                                      start["service_process"], typed)
    except Conflict as exc:
        existing = exc.details.get("instance_id")
        if existing is None:
            raise
        start["error"] = _("This agency already runs this workflow for that service process and fiscal year.")
        start["existing"] = url_for("instances.show", instance_id=existing)
        return _page(agency_id, typed, start, 409)
    except InvalidInput:
        start["error"] = _("Give the name of the service process (at most 255 characters).")
        return _page(agency_id, typed, start, 400)
    flash(_("The workflow has started."), "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


@bp.route("/dashboard/publications/<int:public_sla_id>/withdraw", methods=["POST"])
@login_required
def withdraw(public_sla_id: int):
    from engine.services import publication

    publication.withdraw(engine_context(), current_user.actor, public_sla_id, request.form.get("reason", ""))
    flash(_("The SLA is withdrawn from the public pages."), "success")
    return redirect(url_for("dashboard.index", agency=int_arg(request.form.get("agency"))))
