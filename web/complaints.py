"""The agency's complaints: every complaint with its status and due date, the analysis by category,
service and month, and entering complaints received by other channels."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import InvalidInput
from engine.services import complaints, records

from .context import engine_context
from .params import int_arg

bp = Blueprint("complaints", __name__, url_prefix="/complaints")


@bp.route("/export.xlsx")
@login_required
def export_xlsx():
    from flask import Response

    from engine.services import export

    agency = int_arg(request.args.get("agency"), 0) or current_user.actor.agency_id or 0
    data = export.complaints_workbook(complaints.for_agency(engine_context(), current_user.actor, agency))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="complaints.xlsx"'})


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    ctx = engine_context()
    agency = int_arg(request.values.get("agency"), 0) or current_user.actor.agency_id or 0
    errors, values, status = [], {}, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("service_process", "channel", "category", "subject", "detail",
                                                       "name", "phone", "email")}
        try:
            code = complaints.file_by_staff(ctx, current_user.actor, agency, **values)
        except InvalidInput as exc:
            errors, status = exc.details.get("errors") or [exc.details.get("field", "")], 400
        else:
            flash(_("Complaint %(code)s is recorded and its workflow started.", code=code), "success")
            return redirect(url_for("complaints.index", agency=agency))
    listing = complaints.for_agency(ctx, current_user.actor, agency)
    return render_template("complaints.html", listing=listing, agency=agency, errors=errors, values=values,
                           services=records.services_of(ctx, current_user.actor, agency),
                           categories=complaints.CATEGORIES, channels=complaints.CHANNELS), status
