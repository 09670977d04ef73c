"""Engine errors mapped to HTTP responses in one place."""
from __future__ import annotations

import json
import logging

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine import errors as e
from engine.uow import unavailable

log = logging.getLogger(__name__)

STATUS = {
    e.NotFound: 404,
    e.Forbidden: 403,
    e.Conflict: 409,
    e.FormInvalid: 422,
    e.BpmnInvalid: 422,
    e.InvalidInput: 400,
    e.ScriptError: 422,
    e.HandlerError: 502,
    e.Unavailable: 503,
}
RETRY_AFTER = "30"  # seconds, with a 503


class Unauthorized(Exception):
    """An API call without a valid bearer token: 401 with a challenge."""


class TooManyRequests(Exception):
    """An API token past its rate: 429 with Retry-After."""


def status_for(exc: e.SlaflowError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _titles():
    return {
        400: _("The request could not be processed"),
        401: _("Sign-in required"),
        403: _("You do not have permission for this"),
        404: _("Not found"),
        409: _("Someone else changed this first"),
        413: _("The file is too large"),
        429: _("Too many requests"),
        422: _("The data is not valid"),
        500: _("Something went wrong on our side"),
        502: _("A connected service failed"),
        503: _("The system is temporarily unavailable"),
    }


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def render_error(status: int, detail: str = "", errors: dict | None = None, code: str = ""):
    title = _titles().get(status, _("Error"))
    headers = {"Retry-After": RETRY_AFTER} if status == 503 else {}
    if request.path.startswith("/api/"):  # RFC 9457 problem details
        body = {"type": f"urn:slaflow:problem:{code or status}", "title": title, "status": status,
                "detail": detail or title}
        if code:
            body["code"] = code
        if errors:
            body["errors"] = {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()}
        return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                        mimetype="application/problem+json")
    if wants_json():
        body = {"error": title, "detail": detail}
        if errors:
            body["errors"] = errors
        return body, status, headers
    return render_template("error.html", status=status, title=title, detail=detail), status, headers


def _detail(exc: e.SlaflowError) -> str:
    """A Thai (or English) sentence for the user; engine messages stay in the logs."""
    if isinstance(exc, e.FormInvalid):
        return _("Please correct the fields marked below.")
    if isinstance(exc, e.Conflict):
        return _("The task was changed by someone else or is no longer waiting for you. Reload the page.")
    if isinstance(exc, e.InvalidInput) and exc.details.get("code", "").startswith("file_"):
        return _file_message(exc.details["code"], exc.details.get("params", {}))
    if isinstance(exc, e.InvalidInput):
        return _("Some of the data cannot be accepted.")
    if isinstance(exc, e.Unavailable):
        return _("The database is busy or in maintenance. Nothing was saved; please try again in a minute.")
    if isinstance(exc, e.ScriptError):
        return _("The workflow could not continue with this data. Nothing was saved; please inform the "
                 "process designer.")
    return ""


def _file_message(code: str, params: dict) -> str:
    return {
        "file_type": _("This kind of file is not accepted. Allowed: %(allowed)s", allowed=params.get("allowed", "")),
        "file_empty": _("The file is empty."),
        "file_too_large": _("The file is too large."),
        "file_content": _("The file's content does not match its name."),
        "file_active": _("The file carries scripts, macros or embedded files, which are not accepted."),
        "file_quota": _("The storage for evidence is full. Remove files no longer needed or ask the administrator."),
    }.get(code, _("The file cannot be accepted."))


def register(app) -> None:
    @app.errorhandler(e.SlaflowError)
    def _engine_error(exc):
        if not isinstance(exc, (e.NotFound, e.Forbidden)):
            log.info("%s on %s %s: %s", type(exc).__name__, request.method, request.path, exc.message)
        errors = exc.errors if isinstance(exc, e.FormInvalid) else None
        if errors is None and request.path.startswith("/api/") and exc.details.get("field"):
            errors = {exc.details["field"]: [exc.message]}  # what a calling system needs to fix
        return render_error(status_for(exc), _detail(exc), errors, exc.code)

    @app.errorhandler(Unauthorized)
    @app.errorhandler(TooManyRequests)
    def _api_refusal(exc):
        if isinstance(exc, Unauthorized):
            status, code, header = 401, "unauthorized", ("WWW-Authenticate", 'Bearer realm="slaflow"')
            detail = _("A valid API token is required (Authorization: Bearer …).")
        else:
            status, code, header = 429, "rate_limited", ("Retry-After", "60")
            detail = _("Too many requests for this token. Try again in a minute.")
        response = render_error(status, detail, code=code)
        response.headers[header[0]] = header[1]
        return response

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_error(400, _("The form has expired. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        mapped = unavailable(exc)  # a lock or a read-only database met outside a unit of work
        if mapped is not None:
            log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
            return render_error(503, _detail(mapped))
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
