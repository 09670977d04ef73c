"""Service records of an agency: the import template, file import with a report of rejected rows,
logging one request at the counter, and the monthly figures against the SLA."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.clock import utcnow
from engine.errors import InvalidInput
from engine.fiscal import fiscal_year_of
from engine.services import records

from .context import engine_context, ui_lang
from .params import fiscal_year_arg, int_arg

bp = Blueprint("records", __name__, url_prefix="/records")

#: the words of a service record in English; in Thai the page shows the words the import files use
ENGLISH = {
    "outcomes": {"completed": "Completed", "rejected": "Rejected", "withdrawn": "Withdrawn", "pending": "Pending"},
    "channels": {"counter": "Counter", "online": "Online", "mail": "Mail", "phone": "Telephone", "other": "Other"},
    "defects": {"calculation": "Calculation error", "document": "Document error", "rework": "Rework needed",
                "complained": "Complained about"},
}


def _vocabulary() -> dict[str, dict[str, str]]:
    thai = {"outcomes": records.OUTCOMES, "channels": records.CHANNELS, "defects": records.DEFECTS}
    return ENGLISH if ui_lang() == "en" else thai


def _agency() -> int:
    return int_arg(request.values.get("agency"), 0) or current_user.actor.agency_id or 0


@bp.route("/template.<fmt>")
@login_required
def template(fmt: str):
    if fmt not in ("xlsx", "csv"):
        return Response(status=404)
    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(records.template(fmt), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="service-records-template.{fmt}"'})


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    ctx, agency = engine_context(), _agency()
    fy = fiscal_year_arg(request.args.get("fy"), fiscal_year_of(utcnow().date()))
    services = records.services_of(ctx, current_user.actor, agency)
    report, status = None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        service = request.form.get("service_process", "")
        try:
            if upload is None or not upload.filename:
                raise InvalidInput("choose a file", field="file",
                                   errors=[{"row": 0, "field": "file", "message": _("Choose a CSV or Excel file.")}])
            report = records.import_file(ctx, current_user.actor, agency, service, upload.filename,
                                         upload.read(ctx.settings.upload_max_bytes + 1))
        except InvalidInput as exc:
            report = records.ImportReport(errors=exc.details.get("errors") or [
                {"row": 0, "field": exc.details.get("field", ""), "message": exc.message}])
        if report.accepted:
            flash(_("%(n)s new and %(m)s updated requests recorded.", n=report.inserted, m=report.updated), "success")
            return redirect(url_for("records.index", agency=agency, fy=fy))
        status = 400
    figures = records.agency_measurement(ctx, current_user.actor, agency, fy)
    return render_template("records.html", services=services, report=report, figures=figures, agency=agency,
                           fy=fy, **_vocabulary()), status


@bp.route("/counter", methods=["POST"])
@login_required
def counter():
    ctx, agency = engine_context(), _agency()
    form = request.form
    try:
        records.log_one(ctx, current_user.actor, agency, form.get("service_process", ""), form.get("reference", ""),
                        form.get("received_at", ""), form.get("completed_at", ""), form.get("outcome", ""),
                        form.get("channel", ""), form.getlist("defects"))
    except InvalidInput as exc:
        for e in exc.details.get("errors") or [{"message": exc.message}]:
            flash(e["message"], "error")
        return redirect(url_for("records.index", agency=agency)), 303
    flash(_("The request is recorded."), "success")
    return redirect(url_for("records.index", agency=agency))
