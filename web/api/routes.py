"""The operations of API v1: thin, each one use case of the engine."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from flask import Response, g, render_template, request, url_for

from engine.errors import FormInvalid, InvalidInput, NotFound
from engine.services import (
    accounts,
    api_tokens,
    calendars,
    complaints,
    inbox,
    instance_page,
    instances,
    publication,
    rate_limits,
    records,
    scoring,
    tasks,
)

from ..context import engine_context
from ..errors import TooManyRequests, Unauthorized
from ..params import fiscal_year_arg, int_arg
from . import bp, spec
from .schemas import AGENCY, ANY, DATA, FY, ID, OK, RECORD, START, TASK, WORKFLOW
from .spec import operation

MAX_PER_PAGE = 100
RATE_PER_MINUTE = 300  # requests per token


def _plain(value):
    """Dataclasses, dates and decimals as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json(body, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON answer; a GET carries an ETag and answers 304 to a matching If-None-Match."""
    text = json.dumps(_plain(body), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    response = Response(text, status=status, mimetype="application/json", headers=headers or {})
    if request.method == "GET" and status == 200:
        response.set_etag(hashlib.sha256(text.encode()).hexdigest()[:32])
        response.headers["Cache-Control"] = "private, no-cache" if g.get("api_caller") else "public, max-age=60"
        response = response.make_conditional(request)
    return response


def _page() -> tuple[int, int]:
    page = _number("page", 1)
    per_page = _number("per_page", 50)
    if not 1 <= page <= 100_000 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page >= 1, per_page 1 to {MAX_PER_PAGE}", field="page")
    return page, per_page


def _number(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    value = int_arg(raw)
    if value is None:
        raise InvalidInput(f"{name} is a whole number", field=name)
    return value


def _paged(items: list, total: int, page: int, per_page: int) -> Response:
    links = []
    if page * per_page < total:
        links.append(f'<{_link(page + 1, per_page)}>; rel="next"')
    if page > 1:
        links.append(f'<{_link(page - 1, per_page)}>; rel="prev"')
    return _json({"items": items, "page": page, "per_page": per_page, "total": total},
                 headers={"Link": ", ".join(links)} if links else None)


def _link(page: int, per_page: int) -> str:
    args = dict(request.args, page=page, per_page=per_page)
    return url_for(request.endpoint, _external=False, **(request.view_args or {}), **args)


def _body() -> dict:
    from ..params import json_body

    data = json_body()
    if not isinstance(data, dict):
        raise InvalidInput("the body is a JSON object", field="body")
    return data


def _integer(body: dict, name: str) -> int:
    """A JSON integer (``400`` or ``400.0``: JSON Schema counts both), else a field error."""
    value = body.get(name)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"{name} is a whole number", field=name)
    return value


def _text(body: dict, name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise InvalidInput(f"{name} is text", field=name)
    return value


def _lang() -> str:
    return request.accept_languages.best_match(["th", "en"]) or g.api_caller.language


def _actor():
    return g.api_caller.actor


@bp.before_request
def _authenticate():
    g.api_caller = None
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    if endpoint in PUBLIC or request.method == "OPTIONS":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    caller = api_tokens.authenticate(engine_context(), token)
    if caller is None:
        raise Unauthorized()
    if not rate_limits.take(engine_context(), f"token-{caller.token_id}", RATE_PER_MINUTE, 60, prefix="api:"):
        raise TooManyRequests()
    g.api_caller = caller
    return None


PUBLIC = {"openapi", "docs", "public_slas", "public_sla"}

# -- the document --------------------------------------------------------------------------------------


@bp.route("/openapi.json")
def openapi():
    return _json(spec.document(request.script_root + bp.url_prefix))


@bp.route("/docs")
def docs():
    return render_template("api/docs.html", doc=spec.document(request.script_root + bp.url_prefix))


def _task_path(name="task_id"):
    return (name, "path", ID, True, "the task's id (from GET /tasks)")


# -- agencies ---------------------------------------------------------------------------------------------

@operation(bp, "/agencies", "GET", summary="The agencies the caller sees, as a tree (parent_id)", tag="agencies",
           scope="read", response={"type": "object", "required": ["items"],
                                   "properties": {"items": {"type": "array", "items": AGENCY}}})
def agencies():
    rows = accounts.visible_agencies(engine_context(), _actor())
    return _json({"items": [{"id": a.id, "code": a.code, "name": a.name, "kind": a.kind, "parent_id": a.parent_id,
                             "ministry": a.ministry or "", "province": a.province or "", "region": a.region or ""}
                            for a in rows]})


# -- workflows --------------------------------------------------------------------------------------------

@operation(bp, "/workflows", "GET", summary="Workflows the caller may see, newest first", tag="workflows",
           scope="read", paged=True, response=WORKFLOW, params=[
               ("fiscal_year", "query", FY, False, "Buddhist Era, e.g. 2569"),
               ("agency_id", "query", ID, False, ""),
               ("status", "query", {"enum": ["running", "stalled", "completed", "cancelled"]}, False, "")])
def list_workflows():
    page, per_page = _page()
    status = request.args.get("status", "")
    if status not in ("", "running", "stalled", "completed", "cancelled"):
        raise InvalidInput("status: running, stalled, completed or cancelled", field="status")
    items, total = instances.listing(engine_context(), _actor(), _fy_arg(), int_arg(request.args.get("agency_id")),
                                     status, per_page, (page - 1) * per_page)
    return _paged(items, total, page, per_page)


def _fy_arg():
    raw = request.args.get("fiscal_year")
    if raw in (None, ""):
        return None
    year = fiscal_year_arg(raw)
    if year is None:
        raise InvalidInput("fiscal_year: a Buddhist Era year, 2500 to 2700", field="fiscal_year")
    return year




@operation(bp, "/workflows", "POST", summary="Start a workflow for an agency", tag="workflows", scope="work",
           status=201, body={"type": "object", "required": START,
                             "additionalProperties": False, "properties": {
                                 "process_id": {"type": "string", "minLength": 1, "maxLength": 255},
                                 "agency_id": ID, "service_process": {"type": "string", "minLength": 1,
                                                                      "maxLength": 255},
                                 "fiscal_year": FY}},
           response={"type": "object", "required": ["id"], "properties": {"id": ID}})
def start_workflow():
    data = _body()
    new_id = instances.start(engine_context(), _actor(), _text(data, "process_id"), _integer(data, "agency_id"),
                             _text(data, "service_process"), _integer(data, "fiscal_year"))
    return _json({"id": new_id}, 201, {"Location": url_for("api.get_workflow", workflow_id=new_id)})


@operation(bp, "/workflows/<int:workflow_id>", "GET", summary="A workflow: status, stages, open tasks, due dates, "
           "timeline", tag="workflows", scope="read", params=[("workflow_id", "path", ID, True, "")],
           response={"type": "object", "required": ["id", "status"], "properties": {
               "id": ID, "status": {"type": "string"}, "stages": ANY, "open_tasks": {"type": "array"},
               "deadlines": {"type": "array"}, "timeline": {"type": "array"}}})
def get_workflow(workflow_id: int):
    page = instance_page.get(engine_context(), _actor(), workflow_id)
    return _json({"id": page.id, "agency_name": page.agency_name, "service_process": page.service_process,
                  "fiscal_year": page.fiscal_year, "status": page.status, "process_id": page.process_id,
                  "process_name": page.process_name, "version": page.version, "stages": page.element_states,
                  "open_tasks": page.open_tasks, "deadlines": page.deadlines,
                  "timeline": [dataclasses.asdict(e) for e in page.events], "documents": page.documents})


# -- tasks ------------------------------------------------------------------------------------------------

@operation(bp, "/tasks", "GET", summary="Tasks the caller may work on: claimed by them, or unclaimed for their "
           "roles", tag="tasks", scope="read", paged=True, response=TASK,
           params=[("scope", "query", {"enum": ["all", "mine", "pool"]}, False, "")])
def list_tasks():
    page, per_page = _page()
    scope = request.args.get("scope", "all")
    if scope not in ("all", "mine", "pool"):
        raise InvalidInput("scope: all, mine or pool", field="scope")
    rows, total = inbox.list_tasks(engine_context(), _actor(), per_page, (page - 1) * per_page,
                                   inbox.Filters(scope=scope))
    return _paged([_plain(r) for r in rows], total, page, per_page)


@operation(bp, "/tasks/<int:task_id>/claim", "POST", summary="Claim a task", tag="tasks", scope="work",
           params=[_task_path()], response=OK)
def claim_task(task_id: int):
    tasks.claim(engine_context(), _actor(), task_id)
    return _json({"ok": True})


@operation(bp, "/tasks/<int:task_id>/release", "POST", summary="Release a claimed task to the team", tag="tasks",
           scope="work", params=[_task_path()], response=OK)
def release_task(task_id: int):
    tasks.unclaim(engine_context(), _actor(), task_id)
    return _json({"ok": True})


@operation(bp, "/tasks/<int:task_id>/draft", "PUT", summary="Save a draft of a task's form", tag="tasks",
           scope="work", params=[_task_path()], body=DATA, response=OK)
def save_draft(task_id: int):
    tasks.save_draft(engine_context(), _actor(), task_id, _data())
    return _json({"ok": True})


@operation(bp, "/tasks/<int:task_id>/submit", "POST", summary="Submit a task: the same validation as the web, "
           "field errors in Thai or English (Accept-Language)", tag="tasks", scope="work", params=[_task_path()],
           body=DATA, response=OK)
def submit_task(task_id: int):
    tasks.submit(engine_context(), _actor(), task_id, _data(), _lang())
    return _json({"ok": True})


def _data() -> dict:
    body = _body()
    if set(body) != {"data"} or not isinstance(body["data"], dict):
        raise InvalidInput('the body is {"data": {...the form\'s fields...}}', field="data")
    return body["data"]


# -- service records -------------------------------------------------------------------------------------

@operation(bp, "/records", "POST", summary="Deliver service records (requests served): all rows or none",
           tag="records", scope="records", body={
               "type": "object", "required": ["agency_id", "service_process", "rows"], "additionalProperties": False,
               "properties": {"agency_id": ID, "service_process": {"type": "string", "minLength": 1},
                              "rows": {"type": "array", "minItems": 1, "items": RECORD}}},
           response={"type": "object", "required": ["rows", "inserted", "updated", "errors"], "properties": {
               "rows": {"type": "integer"}, "inserted": {"type": "integer"}, "updated": {"type": "integer"},
               "errors": {"type": "array"}}})
def import_records():
    body = _body()
    report = records.import_rows(engine_context(), _actor(), _integer(body, "agency_id"),
                                 _text(body, "service_process"), body.get("rows"))
    if not report.accepted:  # nothing stored: every refused cell, as rows/<n>/<field> (n counts from 1)
        errors: dict[str, list[str]] = {}
        for e in report.errors:
            errors.setdefault(f"rows/{max(0, int(e['row']) - 1)}/{e['field']}", []).append(e["message"])
        raise FormInvalid(errors, "service records refused")
    return _json(_plain(report))


# -- complaints ------------------------------------------------------------------------------------------

@operation(bp, "/complaints", "POST", summary="Record a complaint, suggestion or compliment received by another "
           "system of the agency (it starts the complaint workflow)", tag="complaints", scope="work", status=201,
           body={"type": "object", "required": ["agency_id", "service_process", "category", "subject", "detail"],
                 "additionalProperties": False, "properties": {
                     "agency_id": ID, "service_process": {"type": "string"},
                     "channel": {"enum": sorted(complaints.CHANNELS)},
                     "category": {"enum": sorted(complaints.CATEGORIES)},
                     "subject": {"type": "string"}, "detail": {"type": "string"}, "name": {"type": "string"},
                     "phone": {"type": "string"}, "email": {"type": "string"}}},
           response={"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}})
def file_complaint():
    body = _body()
    code = complaints.file_by_staff(engine_context(), _actor(), _integer(body, "agency_id"),
                                    _text(body, "service_process", ""), _text(body, "channel", "other") or "other",
                                    _text(body, "category", ""), _text(body, "subject", ""),
                                    _text(body, "detail", ""), _text(body, "name", ""), _text(body, "phone", ""),
                                    _text(body, "email", ""))
    return _json({"code": code}, 201)


@operation(bp, "/agencies/<int:agency_id>/complaints", "GET", summary="An agency's complaints and their analysis "
           "(contact details masked unless the caller is the agency's staff)", tag="complaints", scope="read",
           params=[("agency_id", "path", ID, True, "")], response=ANY)
def agency_complaints(agency_id: int):
    return _json(complaints.for_agency(engine_context(), _actor(), agency_id))


# -- scores, calendar ------------------------------------------------------------------------------------

@operation(bp, "/agencies/<int:agency_id>/scorecard", "GET", summary="An agency's scores of a fiscal year, with the "
           "working of every line", tag="scores", scope="read",
           params=[("agency_id", "path", ID, True, ""), ("fiscal_year", "query", FY, True, "")], response=ANY)
def scorecard(agency_id: int):
    year = _fy_arg()
    if year is None:
        raise InvalidInput("fiscal_year is required", field="fiscal_year")
    return _json(scoring.scorecard(engine_context(), _actor(), agency_id, year))


@operation(bp, "/reporting-calendar", "GET", summary="The evaluators' reporting calendars of a fiscal year (due "
           "dates of the 6/9/12-month reports and milestones)", tag="calendar", scope="read",
           params=[("fiscal_year", "query", FY, True, "")], response=ANY)
def reporting_calendar():
    year = _fy_arg()
    if year is None:
        raise InvalidInput("fiscal_year is required", field="fiscal_year")
    return _json({"fiscal_year": year, "calendars": calendars.reporting_calendars(engine_context(), year)})


# -- published SLAs (no token) ---------------------------------------------------------------------------

@operation(bp, "/public/slas", "GET", summary="Published SLAs (no token needed)", tag="public", scope=None,
           params=[("q", "query", {"type": "string", "maxLength": 200}, False, "search"),
                   ("ministry", "query", {"type": "string", "maxLength": 200}, False, ""),
                   ("province", "query", {"type": "string", "maxLength": 200}, False, ""),
                   ("page", "query", {"type": "integer", "minimum": 1, "maximum": 100_000}, False, "")], response=ANY)
def public_slas():
    page = _number("page", 1)
    if not 1 <= page <= 100_000:
        raise InvalidInput("page >= 1", field="page")
    found = publication.directory(engine_context(), request.args.get("q", "")[:200],
                                  request.args.get("ministry", "")[:200], request.args.get("province", "")[:200], page)
    return _json(found)


@operation(bp, "/public/slas/<agency_code>/<slug>", "GET", summary="One published SLA (no token needed)",
           tag="public", scope=None, params=[("agency_code", "path", {"type": "string"}, True, ""),
                                             ("slug", "path", {"type": "string"}, True, "")], response=ANY)
def public_sla(agency_code: str, slug: str):
    if len(agency_code) > 32 or len(slug) > 255:
        raise NotFound("not published")
    return _json(publication.page(engine_context(), agency_code, slug))


