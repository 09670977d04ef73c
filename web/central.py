"""The central office: every agency at a glance, scorecards with the working, corrections, evidence
packs, the Excel export, KPI schemes."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import strictjson
from engine.clock import utcnow
from engine.errors import InvalidInput
from engine.fiscal import fiscal_year_of
from engine.services import central, export, scoring

from .context import engine_context
from .params import fiscal_year_arg, int_arg, page_arg

bp = Blueprint("central", __name__, url_prefix="/central")


def _fy() -> int:
    return fiscal_year_arg(request.values.get("fy"), fiscal_year_of(utcnow().date()))


@bp.route("/")
@login_required
def index():
    f = central.Filters(fiscal_year=_fy(), ministry=request.args.get("ministry", ""),
                        region=request.args.get("region", ""), group=request.args.get("group", ""),
                        page=page_arg(request.args.get("page")))
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
def agency(agency_id: int, correction: dict | None = None, status: int = 200):
    card = scoring.scorecard(engine_context(), current_user.actor, agency_id, _fy())
    return render_template("central/agency.html", card=card, correction=correction or {},
                           can_correct=bool(current_user.actor.roles & {"central", "evaluator", "admin"})), status


@bp.route("/agencies/<int:agency_id>/correct", methods=["POST"])
@login_required
def correct(agency_id: int):
    fy = _fy()
    typed = {k: request.form.get(k, "").strip() for k in ("instance_id", "indicator", "value", "reason")}
    try:
        scoring.correct(engine_context(), current_user.actor, int_arg(typed["instance_id"], 0), typed["indicator"],
                        typed["value"], typed["reason"])
    except InvalidInput as exc:  # said by field, with what was typed kept
        field = exc.details.get("field") or "indicator"
        if field == "indicator":
            valid = exc.details.get("valid") or []
            typed["error"] = _("Unknown indicator code. This workflow's scheme has: %(codes)s",
                               codes=", ".join(valid)) if valid else _("No KPI scheme is published for this "
                                                                      "workflow's fiscal year.")
        elif field == "value":
            typed["error"] = _("The value must be a number.")
        else:
            typed["error"] = _("Give the reason for the correction.")
        return agency(agency_id, typed, 400)
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
    from_fy, to_fy = fiscal_year_arg(request.form.get("from_fy"), 0), fiscal_year_arg(request.form.get("to_fy"), 0)
    created = scoring.copy_schemes(engine_context(), current_user.actor, from_fy, to_fy)
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


def _survey_template() -> str:
    from engine import context as context_mod

    path = getattr(context_mod.glue(engine_context().settings.handlers_module), "SURVEY_TEMPLATE", None)
    return path.read_text(encoding="utf-8") if path else '{"questions": [], "groups": []}'


@bp.route("/surveys", methods=["GET", "POST"])
@login_required
def surveys():
    from datetime import date

    from engine.services import surveys as survey_service

    errors, status = [], 200
    form = {"fiscal_year": _fy(), "title": _("Satisfaction survey, fiscal year %(fy)s", fy=_fy()),
            "definition": _survey_template(), "opens_on": "", "closes_on": ""}
    if request.method == "POST":
        form.update({k: request.form.get(k, "") for k in ("fiscal_year", "title", "definition", "opens_on",
                                                         "closes_on")})
        try:
            try:
                definition = strictjson.loads(form["definition"], field="definition")
            except InvalidInput:
                raise InvalidInput("the survey is not JSON", field="definition",
                                   errors=[_("The questions are not valid JSON.")]) from None
            try:
                opens, closes = date.fromisoformat(form["opens_on"]), date.fromisoformat(form["closes_on"])
            except ValueError:
                raise InvalidInput("dates", field="opens_on", errors=[_("Give the opening and closing dates.")]) \
                    from None
            survey_service.create(engine_context(), current_user.actor, fiscal_year_arg(form["fiscal_year"], 0),
                                  form["title"], definition, opens, closes)
        except InvalidInput as exc:
            errors, status = exc.details.get("errors") or [exc.message], 400
        else:
            flash(_("The survey is saved as a draft; open it when it should take answers."), "success")
            return redirect(url_for("central.surveys"))
    rows = survey_service.list_surveys(engine_context(), current_user.actor)
    return render_template("central/surveys.html", rows=rows, form=form, errors=errors), status


@bp.route("/surveys/<int:survey_id>/status", methods=["POST"])
@login_required
def survey_status(survey_id: int):
    from engine.services import surveys as survey_service

    survey_service.set_status(engine_context(), current_user.actor, survey_id, request.form.get("status", ""))
    return redirect(url_for("central.surveys"))


@bp.route("/surveys/<int:survey_id>")
@login_required
def survey_results(survey_id: int):
    from engine.services import surveys as survey_service

    agency = int_arg(request.args.get("agency"), 0) or None
    found = survey_service.results(engine_context(), current_user.actor, survey_id, agency)
    if request.args.get("format") == "xlsx":
        data = export.survey_workbook(found)
        return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}.xlsx"'})
    chart = {"labels": [r["service"] for r in found.rows],
             "satisfied": [float(r["satisfied_percent"] or 0) for r in found.rows],
             "dissatisfied": [float(r["dissatisfied_percent"] or 0) for r in found.rows]}
    return render_template("central/survey_results.html", found=found, chart=chart, agency=agency)


@bp.route("/kickoff", methods=["GET", "POST"])
@login_required
def kickoff_page():
    """Start a fiscal year: a workflow for every agency (or one ministry or region), run by the scheduler."""
    from engine.services import kickoff

    ctx, actor = engine_context(), current_user.actor
    errors, status = {}, 200
    values = {"fy": str(_fy()), "process_id": "", "service_process": _("Service process to be improved"),
              "ministry": "", "region": ""}
    if request.method == "POST":
        values.update({k: request.form.get(k, "").strip() for k in values})
        try:
            job_id = kickoff.queue(ctx, actor, values["process_id"], fiscal_year_arg(values["fy"], 0),
                                   values["service_process"], values["ministry"], values["region"])
        except InvalidInput as exc:
            errors, status = {exc.details.get("field") or "form": exc.message}, 400
        else:
            flash(_("Fiscal year %(fy)s is queued (job %(id)s): the scheduler starts the workflows within a "
                    "minute; agencies already started are skipped.", fy=values["fy"], id=job_id), "success")
            return redirect(url_for("central.kickoff_page"))
    ministries, regions = kickoff.choices(ctx, actor)
    typed = int_arg(values["fy"])
    suggest = typed + 543 if typed is not None and 1957 <= typed <= 2157 else fiscal_year_of(utcnow().date())
    return render_template("central/kickoff.html", jobs=kickoff.recent(ctx, actor), suggest=suggest,
                           processes=kickoff.processes(ctx, actor), values=values, errors=errors,
                           ministries=ministries, regions=regions), status
