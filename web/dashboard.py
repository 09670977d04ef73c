"""The agency dashboard."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.clock import utcnow
from engine.fiscal import fiscal_year_of
from engine.services import dashboard, instances
from engine.thaidate import be_date

from .context import engine_context
from .params import fiscal_year_arg, int_arg

bp = Blueprint("dashboard", __name__)



@bp.route("/dashboard")
@login_required
def index():
    board = dashboard.get(engine_context(), current_user.actor, int_arg(request.args.get("agency")),
                          fiscal_year_arg(request.args.get("fy")))
    months = sorted({r.month for m in board.measurement for r in m.months})
    chart = {"months": [be_date(m, lang=str(get_locale() or "th")) for m in months],
             "series": [m.service_process for m in board.measurement],
             "values": [[next((r.within_percent for r in m.months if r.month == month), None) for month in months]
                        for m in board.measurement]}
    return render_template("dashboard.html", board=board, chart=chart)


@bp.route("/dashboard/start", methods=["POST"])
@login_required
def start():
    agency_id = int_arg(request.form.get("agency")) or current_user.actor.agency_id
    fy = fiscal_year_arg(request.form.get("fy"), fiscal_year_of(utcnow().date()))
    instance_id = instances.start(engine_context(), current_user.actor, request.form.get("process", ""),
                                  agency_id, request.form.get("service_process", ""), fy)
    flash(_("The workflow has started."), "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


@bp.route("/dashboard/publications/<int:public_sla_id>/withdraw", methods=["POST"])
@login_required
def withdraw(public_sla_id: int):
    from engine.services import publication

    publication.withdraw(engine_context(), current_user.actor, public_sla_id, request.form.get("reason", ""))
    flash(_("The SLA is withdrawn from the public pages."), "success")
    return redirect(url_for("dashboard.index", agency=int_arg(request.form.get("agency"))))
