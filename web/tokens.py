"""API tokens: a person's own (acting as them), and administrators' service accounts of agencies."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import InvalidInput
from engine.services import accounts, api_tokens

from .context import engine_context
from .params import int_arg

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    ctx, actor = engine_context(), current_user.actor
    errors, shown, status = {}, None, 200
    is_admin = "admin" in actor.roles
    if request.method == "POST":
        action = request.form.get("action", "token")
        try:
            if action == "service" and is_admin:
                user_id = api_tokens.create_service_account(
                    ctx, actor, int_arg(request.form.get("agency_id")) or 0, request.form.get("name", ""),
                    request.form.getlist("roles"))
                flash(_("Service account created. Now create its token."), "success")
                return redirect(url_for("tokens.index", service=user_id))
            shown = api_tokens.create(ctx, actor, request.form.get("name", ""), request.form.getlist("scopes"),
                                      int_arg(request.form.get("days")) or 0,
                                      int_arg(request.form.get("user_id")) if is_admin else None)
        except InvalidInput as exc:
            errors, status = {exc.details.get("field") or "form": exc.message}, 400
    rows = api_tokens.listing(ctx, actor)
    agencies = accounts.list_agencies(ctx, actor) if is_admin else []
    services = accounts.service_accounts(ctx, actor) if is_admin else []
    return render_template("account/tokens.html", rows=rows, shown=shown, errors=errors, scopes=api_tokens.SCOPES,
                           is_admin=is_admin, agencies=agencies, services=services,
                           chosen_service=int_arg(request.args.get("service"))), status


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    api_tokens.revoke(engine_context(), current_user.actor, token_id)
    flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for("tokens.index"))
