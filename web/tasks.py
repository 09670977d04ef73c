"""Task pages: show the form, claim and release, save a draft, submit; evidence upload and download."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from engine.errors import InvalidInput
from engine.services import files, task_page, tasks

from .context import engine_context, ui_lang
from .params import json_body

bp = Blueprint("tasks", __name__)


@bp.route("/tasks/<int:task_id>")
@login_required
def show(task_id: int):
    page = task_page.get(engine_context(), current_user.actor, task_id)
    config = {
        "schema": page.schema, "data": page.data, "readonly": page.readonly, "lang": ui_lang(),
        "csrfToken": generate_csrf(),
        "draftUrl": url_for("tasks.draft", task_id=task_id), "submitUrl": url_for("tasks.submit", task_id=task_id),
        "uploadUrl": url_for("tasks.upload", instance_id=page.instance_id), "downloadUrl": "/files/",
        "references": [{"schema": r.schema, "data": r.data} for r in page.references],
        "messages": {"unsaved": _("Unsaved changes"), "saving": _("Saving…"), "saved": _("Draft saved"),
                     "submitting": _("Submitting…"), "failed": _("Not saved. Please check the form."),
                     "offline": _("The server cannot be reached. Your changes are still on this page.")},
    }
    return render_template("task.html", page=page, config=config)


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int):
    tasks.claim(engine_context(), current_user.actor, task_id)
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.route("/tasks/<int:task_id>/release", methods=["POST"])
@login_required
def release(task_id: int):
    tasks.unclaim(engine_context(), current_user.actor, task_id)
    return redirect(url_for("inbox.index"))


@bp.route("/tasks/<int:task_id>/draft", methods=["POST"])
@login_required
def draft(task_id: int):
    tasks.save_draft(engine_context(), current_user.actor, task_id, json_body())
    return jsonify(saved_at=format_datetime(None, "HH:mm"))


@bp.route("/tasks/<int:task_id>/submit", methods=["POST"])
@login_required
def submit(task_id: int):
    tasks.submit(engine_context(), current_user.actor, task_id, json_body(), lang=ui_lang())
    return jsonify(redirect=url_for("inbox.index", done=task_id))


@bp.route("/instances/<int:instance_id>/files", methods=["POST"])
@login_required
def upload(instance_id: int):
    uploaded = request.files.get("file")
    if uploaded is None:
        raise InvalidInput("no file in the request", field="file")
    data = uploaded.read(engine_context().settings.upload_max_bytes + 1)
    file_id = files.upload(engine_context(), current_user.actor, instance_id, uploaded.filename or "", data)
    info = files.open_file(engine_context(), current_user.actor, file_id)
    return jsonify(file_id=file_id, name=info.name)


@bp.route("/files/<int:file_id>")
@login_required
def download(file_id: int):
    info = files.open_file(engine_context(), current_user.actor, file_id)
    if not info.path.is_file():
        abort(404)
    return send_file(info.path, mimetype=info.content_type, as_attachment=True, download_name=info.name,
                     max_age=0, conditional=True)
