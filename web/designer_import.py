"""Importing diagrams of other engines into the designer: read the files, ask the role of each performer
they name, convert into a new draft (the report shows on the draft's page)."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.bpmn.importer import TASK_ROLES
from engine.errors import BpmnInvalid, InvalidInput
from engine.services import bpmn_import

from .admin import ROLE_LABELS
from .context import engine_context, ui_lang
from .designer import designer_actor

bp = Blueprint("designer_import", __name__, url_prefix="/designer/import")


def _refused(problems) -> tuple:
    for p in problems:
        flash(f"{p.where()}: {p.message(ui_lang())}", "error")
    return redirect(url_for("designer.index")), 303


@bp.route("/", methods=["POST"])
@login_required
def read():
    ctx = engine_context()
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    files = {f.filename: f.read(ctx.settings.bpmn_max_bytes + 1) for f in uploads}
    try:
        found = bpmn_import.performers(ctx, designer_actor(), files)
    except BpmnInvalid as exc:
        return _refused(exc.problems)
    except InvalidInput as exc:
        too_large = exc.details.get("field") == "files_size"
        flash(_("The files are too large to import together: import them a few at a time.") if too_large
              else _("Choose at least one .bpmn file (at most 20)."), "error")
        return redirect(url_for("designer.index")), 303
    encoded = [(name, base64.b64encode(data).decode("ascii")) for name, data in files.items()]
    return render_template("designer/import.html", files=encoded, performers=found,
                           roles=[(r, ROLE_LABELS[r]) for r in TASK_ROLES], title=request.form.get("title", ""))


@bp.route("/convert", methods=["POST"])
@login_required
def convert():
    ctx = engine_context()
    names, blobs = request.form.getlist("file_name"), request.form.getlist("file_data")
    try:
        if len(names) != len(blobs):
            raise InvalidInput("files do not match their names", field="files")
        files = {name: base64.b64decode(blob, validate=True) for name, blob in zip(names, blobs, strict=True)}
    except (binascii.Error, ValueError, InvalidInput):
        flash(_("The files were not received whole; choose them again."), "error")
        return redirect(url_for("designer.index")), 303
    chosen = dict(zip(request.form.getlist("performer"), request.form.getlist("role"), strict=False))
    try:
        draft_id = bpmn_import.import_draft(ctx, designer_actor(), files, chosen,
                                            request.form.get("default_role", "officer"), request.form.get("title", ""))
    except BpmnInvalid as exc:
        return _refused(exc.problems)
    except InvalidInput:
        flash(_("Choose one of the roles listed for every performer."), "error")
        return redirect(url_for("designer.index")), 303
    flash(_("Imported: read what was converted and what is left below, then check and deploy."), "success")
    return redirect(url_for("designer.edit", draft_id=draft_id)), 303
