"""The central office: every agency at a glance, scorecards with the working, corrections, evidence
packs, the Excel export, KPI schemes."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import InvalidInput
from engine.fiscal import fiscal_year_of
from engine.models import utcnow
from engine.services import central, export, scoring

from .context import engine_context
from .params import int_arg

bp = Blueprint("central", __name__, url_prefix="/central")


def _fy() -> int:
    return int_arg(request.values.get("fy"), fiscal_year_of(utcnow().date()))


@bp.route("/")
@login_required
def index():
    f = central.Filters(fiscal_year=_fy(), ministry=request.args.get("ministry", ""),
                        region=request.args.get("region", ""), group=request.args.get("group", ""),
                        page=int_arg(request.args.get("page"), 1))
    view = central.overview(engine_context(), current_user.actor, f)
    pages = max(1, (view.total_agencies + central.PAGE - 1) // central.PAGE)
    chart = {"distribution": view.distribution,
             "stages": [name for _, name in view.stages],
             "done": [sum(h["cells"][sid].get("done", 0) for h in view.heat) for sid, _ in view.stages],
             "current": [sum(h["cells"][sid].get("current", 0) for h in view.heat) for sid, _ in view.stages]}
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("central/index.html", view=view, pages=pages, chart=chart, args=args)


@bp.route("/recompute", methods=["POST"])
@login_required
def recompute():
    fy = _fy()
    count = scoring.recompute(engine_context(), current_user.actor, fy)
    flash(_("Scores recomputed for %(n)s agency results.", n=count), "success")
    return redirect(url_for("central.index", fy=fy))


@bp.route("/agencies/<int:agency_id>")
@login_required
def agency(agency_id: int):
    card = scoring.scorecard(engine_context(), current_user.actor, agency_id, _fy())
    return render_template("central/agency.html", card=card,
                           can_correct=bool(current_user.actor.roles & {"central", "evaluator", "admin"}))


@bp.route("/agencies/<int:agency_id>/correct", methods=["POST"])
@login_required
def correct(agency_id: int):
    fy = _fy()
    value = request.form.get("value", "").strip()
    scoring.correct(engine_context(), current_user.actor, int_arg(request.form.get("instance_id"), 0),
                    request.form.get("indicator", ""), value, request.form.get("reason", ""))
    flash(_("The correction is recorded and the score recomputed."), "success")
    return redirect(url_for("central.agency", agency_id=agency_id, fy=fy))


@bp.route("/agencies/<int:agency_id>/group", methods=["POST"])
@login_required
def set_group(agency_id: int):
    fy = _fy()
    scoring.set_group(engine_context(), current_user.actor, int_arg(request.form.get("instance_id"), 0),
                      request.form.get("group", ""), request.form.get("reason", ""))
    flash(_("The group is changed and the score recomputed."), "success")
    return redirect(url_for("central.agency", agency_id=agency_id, fy=fy))


@bp.route("/schemes/copy", methods=["POST"])
@login_required
def copy_schemes():
    to_fy = int_arg(request.form.get("to_fy"), 0)
    created = scoring.copy_schemes(engine_context(), current_user.actor, int_arg(request.form.get("from_fy"), 0), to_fy)
    flash(_("%(n)s schemes published for fiscal year %(fy)s.", n=len(created), fy=to_fy), "success")
    return redirect(url_for("central.schemes"))


@bp.route("/agencies/<int:agency_id>/evidence.zip")
@login_required
def evidence(agency_id: int):
    name, data = central.evidence_pack(engine_context(), current_user.actor, agency_id, _fy())
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/export.xlsx")
@login_required
def export_xlsx():
    fy = _fy()
    data = export.workbook(engine_context(), current_user.actor, fy)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="slaflow-{fy}.xlsx"'})


@bp.route("/schemes", methods=["GET", "POST"])
@login_required
def schemes():
    errors = []
    status = 200
    if request.method == "POST":
        upload = request.files.get("scheme")
        if upload is None or not upload.filename:
            errors = [_("Choose a scheme file (JSON or YAML).")]
            status = 400
        else:
            try:
                code, version, created = scoring.upload_scheme(engine_context(), current_user.actor,
                                                               upload.read(600_000), upload.filename)
            except InvalidInput as exc:
                errors, status = exc.details.get("errors") or [exc.message], 400
            else:
                flash(_("Scheme %(code)s saved as version %(v)s.", code=code, v=version) if created else
                      _("Scheme %(code)s is unchanged (version %(v)s).", code=code, v=version), "success")
                return redirect(url_for("central.schemes"))
    rows = scoring.list_schemes(engine_context(), current_user.actor)
    return render_template("central/schemes.html", rows=rows, errors=errors, this_year=_fy()), status
