"""The process designer: drafts in the bpmn-js modeler, validation, deploy, versions, migration."""
from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from engine.bpmn.lint import START_DATA_SAMPLE
from engine.errors import BpmnInvalid, Forbidden
from engine.roles import DESIGNER, LANE_ROLES
from engine.services import design, migration

from .context import engine_context, ui_lang
from .params import int_arg, json_body

bp = Blueprint("designer", __name__, url_prefix="/designer")
MODDLE = Path(__file__).parent / "static" / "designer" / "spiffworkflow.json"
#: what the version comparison calls each property of an element
PROP_LABELS = {
    "type": _l("Type"), "name": _l("Name"), "attr": _l("Attribute"), "lane": _l("Lane (role)"),
    "documentation": _l("Documentation"), "source": _l("From"), "target": _l("To"), "condition": _l("Condition"),
    "timer": _l("Timer"), "script": _l("Script"), "form": _l("Form"), "property": _l("Property"),
    "instructions": _l("Instructions for the user"), "preScript": _l("Script before the task"),
    "postScript": _l("Script after the task"), "handler": _l("Handler"), "loop": _l("Repetition"),
}
#: examples under a timer's expression, by the kind of timer
TIMER_EXAMPLES = {
    "timeDate": ["report_due(fiscal_year, 6)", "report_due(fiscal_year, 9)", "report_due(fiscal_year, 12)",
                 "round_opens(fiscal_year, 6)", "working_days_from_now(5)", "working_hours_from_now(8)",
                 '"2026-04-10T23:59:59+07:00"'],
    "timeDuration": ['"PT2H"', '"P5D"', '"P1M"'],
    "timeCycle": ['"R3/P1D"', '"R/P7D"', '"R5/PT12H"'],
}


def designer_actor():
    actor = current_user.actor
    if not (actor.has(DESIGNER) or actor.has("admin")):
        raise Forbidden("designers only")
    return actor


def _problems(problems) -> list[dict]:
    return [p.to_dict(ui_lang()) for p in problems]


@bp.route("/")
@login_required
def index():
    actor = designer_actor()
    ctx = engine_context()
    return render_template("designer/index.html", drafts=design.list_drafts(ctx, actor),
                           versions=design.versions(ctx, actor))


@bp.route("/drafts", methods=["POST"])
@login_required
def create():
    actor = designer_actor()
    ctx = engine_context()
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    try:
        if uploads:
            files = {f.filename: f.read(ctx.settings.bpmn_max_bytes + 1) for f in uploads}
            draft_id = design.new_draft(ctx, actor, request.form.get("title", ""), files=files)
        else:
            draft_id = design.new_draft(ctx, actor, request.form.get("title", ""),
                                        version_id=int_arg(request.form.get("version_id")))
    except BpmnInvalid as exc:
        for p in exc.problems:
            flash(f"{p.where()}: {p.message(ui_lang())}", "error")
        return redirect(url_for("designer.index")), 303
    return redirect(url_for("designer.edit", draft_id=draft_id))


@bp.route("/drafts/<int:draft_id>")
@login_required
def edit(draft_id: int):
    actor = designer_actor()
    ctx = engine_context()
    draft = design.get_draft(ctx, actor, draft_id)
    config = {
        "files": draft.files, "order": design.file_order(draft.files), "forms": draft.forms,
        "examples": draft.examples, "lang": ui_lang(),
        "moddle": json.loads(MODDLE.read_text(encoding="utf-8")), "handlers": sorted(ctx.handlers),
        "laneNames": sorted(LANE_ROLES), "formsDir": design.available_forms(ctx), "timerExamples": TIMER_EXAMPLES,
        "blank": design.NEW_DIAGRAM, "csrfToken": generate_csrf(), "sample": START_DATA_SAMPLE,
        "saveUrl": url_for("designer.save", draft_id=draft_id),
        "validateUrl": url_for("designer.validate", draft_id=draft_id),
        "deployUrl": url_for("designer.deploy", draft_id=draft_id),
        "messages": {
            "unsaved": _("Unsaved changes"), "saved": _("Draft saved"), "failed": _("Not saved."),
            "importWarnings": _("Opened with warnings:"), "importFailed": _("This diagram cannot be opened"),
            "choose": _("— choose —"), "selectSomething": _("Select an element to see its properties."),
            "name": _("Name"), "role": _("Role of the lane"),
            "roleHelp": _("Tasks in this lane go to users with this role."),
            "executable": _("Executable"), "form": _("Form"),
            "formHelp": _("The JSON Schema of the form the user fills in (edit it under Forms)."),
            "instructions": _("Instructions for the user"),
            "hasDue": _("Due date: set by the timer attached to this task."),
            "noDue": _("No due date: attach a timer boundary event to give this task one."),
            "handler": _("Handler"), "script": _("Script (restricted Python)"),
            "scriptHelp": _("No imports, no names starting with _, at most a second of run time."),
            "condition": _("Condition"),
            "conditionHelp": _("A Python expression over the task data, e.g. decision == \"approve\""),
            "timer": _("Timer expression"), "timerKind": _("The timer fires"),
            "timerDate": _("on a date"), "timerDuration": _("after a duration"),
            "timerCycle": _("repeatedly (a cycle)"),
            "timerHelps": {
                "timeDate": _("A Python expression giving an ISO 8601 date; quote literal dates. Helpers below."),
                "timeDuration": _("A Python expression giving an ISO 8601 duration, e.g. \"P5D\" (5 days) or "
                                  "\"PT2H\" (2 hours), counted from when the timer starts."),
                "timeCycle": _("A Python expression giving an ISO 8601 repetition, e.g. \"R3/P1D\" (3 times, "
                               "a day apart) or \"R/P7D\" (every week while the task is open)."),
            },
            "interrupting": _("Interrupting"),
            "interruptingHelp": _("When on, the task is cancelled when the timer fires; "
                                  "off keeps it open (a reminder)."),
            "badJson": _("Not valid JSON"), "formRef": _("Use a name like sla/my_form.schema.json"),
            "newFormTitle": _("New form"), "hasErrors": _("There are problems to fix before deploying."),
            "valid": _("No problems: ready to deploy."), "noteRequired": _("Say what changed in this version."),
            "deployed": _("Deployed as version"), "unchanged": _("Nothing changed; already deployed as version"),
        },
    }
    return render_template("designer/edit.html", draft=draft, config=config)


@bp.route("/drafts/<int:draft_id>/save", methods=["POST"])
@login_required
def save(draft_id: int):
    data = json_body()
    try:
        saved = design.save_draft(engine_context(), designer_actor(), draft_id, data.get("files"),
                                  data.get("forms") or {}, data.get("examples") or {}, data.get("title"))
    except BpmnInvalid as exc:
        return jsonify(error=_("The diagram cannot be saved"), problems=_problems(exc.problems)), 422
    return jsonify(saved_at=saved.astimezone().strftime("%H:%M:%S"))


@bp.route("/drafts/<int:draft_id>/validate", methods=["POST"])
@login_required
def validate(draft_id: int):
    return jsonify(problems=_problems(design.validate(engine_context(), designer_actor(), draft_id)))


@bp.route("/drafts/<int:draft_id>/deploy", methods=["POST"])
@login_required
def deploy(draft_id: int):
    data = json_body()
    try:
        result = design.deploy_draft(engine_context(), designer_actor(), draft_id, str(data.get("note") or ""),
                                     str(data.get("process_id") or "") or None)
    except BpmnInvalid as exc:
        return jsonify(error=_("Not deployed: fix the problems first"), problems=_problems(exc.problems)), 422
    return jsonify(version=result.version, created=result.created, process_id=result.process_id,
                   url=url_for("designer.version", version_id=result.version_id))


@bp.route("/versions/<int:version_id>")
@login_required
def version(version_id: int):
    actor = designer_actor()
    ctx = engine_context()
    return render_template("designer/version.html", version=design.version(ctx, actor, version_id),
                           diff=design.diff(ctx, actor, version_id),
                           candidates=migration.preview(ctx, actor, version_id), prop_labels=PROP_LABELS)


@bp.route("/versions/<int:version_id>/files/<path:name>")
@login_required
def version_file(version_id: int, name: str):
    xml = design.version_file(engine_context(), designer_actor(), version_id, name)
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{Path(name).name}"'})


@bp.route("/versions/<int:version_id>/migrate", methods=["POST"])
@login_required
def migrate(version_id: int):
    ids = [int_arg(v) for v in request.form.getlist("instance_id") if int_arg(v) is not None]
    count = migration.migrate(engine_context(), designer_actor(), version_id, ids)
    flash(_("%(n)s workflows moved to this version.", n=count), "success")
    return redirect(url_for("designer.version", version_id=version_id))
