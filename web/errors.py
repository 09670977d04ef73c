"""Engine errors mapped to HTTP responses in one place."""
from __future__ import annotations

import logging

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine import errors as e

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
}


def status_for(exc: e.SlaflowError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _titles():
    return {
        400: _("The request could not be processed"),
        403: _("You do not have permission for this"),
        404: _("Not found"),
        409: _("Someone else changed this first"),
        413: _("The file is too large"),
        422: _("The data is not valid"),
        500: _("Something went wrong on our side"),
        502: _("A connected service failed"),
    }


def render_error(status: int, detail: str = ""):
    title = _titles().get(status, _("Error"))
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "detail": detail}, status
    return render_template("error.html", status=status, title=title, detail=detail), status


def register(app) -> None:
    @app.errorhandler(e.SlaflowError)
    def _engine_error(exc):
        return render_error(status_for(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_error(400, _("The form has expired. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
