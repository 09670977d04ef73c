"""Operators' pages: scheduler health and incidents; the working-day and reporting calendars."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.clock import utcnow
from engine.errors import InvalidInput
from engine.fiscal import fiscal_year_of
from engine.services import calendars, operations

from .context import engine_context
from .params import fiscal_year_arg, year_arg

bp = Blueprint("operations", __name__)


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput("not a date", field=field) from None



@bp.route("/operations")
@login_required
def health():
    return render_template("operations.html", health=operations.health(engine_context(), current_user.actor))


@bp.route("/operations/incidents/<int:incident_id>/retry", methods=["POST"])
@login_required
def retry(incident_id: int):
    operations.retry(engine_context(), current_user.actor, incident_id)
    flash(_("The incident is resolved and its deadlines will be tried again."), "success")
    return redirect(url_for("operations.health"))


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    year = year_arg(request.args.get("year"), utcnow().year)
    if request.method == "POST":
        action = request.form.get("action")
        day = _date(request.form.get("day", ""), "day")
        if action == "remove":
            calendars.remove_day(engine_context(), current_user.actor, day)
        else:
            calendars.set_day(engine_context(), current_user.actor, day, action == "working",
                              request.form.get("reason", ""))
        flash(_("Calendar saved. The scheduler moves the due dates that depend on it (see Operations)."), "success")
        return redirect(url_for("operations.calendar", year=day.year))
    return render_template("calendar.html", year=year, days=calendars.year_view(engine_context(), year),
                           to_confirm=calendars.to_confirm(year), can_edit=current_user.actor.has("admin"))


@bp.route("/reporting-calendar", methods=["GET", "POST"])
@login_required
def reporting_calendar():
    fy = fiscal_year_arg(request.values.get("fy"), fiscal_year_of(utcnow().date()))
    ctx = engine_context()
    if request.method == "POST":
        known = {c.code: c for c in calendars.reporting_calendars(ctx, fy)}
        code = request.form.get("calendar") or next(iter(known), "")
        if code not in known:
            raise InvalidInput("unknown reporting calendar", field="calendar")
        dates = {d.code: _date(request.form[d.code], d.code) for d in known[code].dates if request.form.get(d.code)}
        calendars.set_milestones(ctx, current_user.actor, fy, dates, code, shift=request.form.get("shift") or None)
        flash(_("Reporting calendar saved. The scheduler moves the due dates that depend on it (see Operations)."),
              "success")
        return redirect(url_for("operations.reporting_calendar", fy=fy))
    actor = current_user.actor
    return render_template("reporting_calendar.html", fy=fy, calendars=calendars.reporting_calendars(ctx, fy),
                           editable={c.code for c in calendars.reporting_calendars(ctx, fy)
                                     if actor.has(c.owner) or actor.has("admin")})
