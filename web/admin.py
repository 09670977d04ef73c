"""Administration: agencies, users and their roles."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from engine.errors import Conflict, Forbidden, InvalidInput
from engine.roles import ROLES
from engine.services import accounts

from .context import engine_context

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {"officer": _l("Officer"), "supervisor": _l("Supervisor"), "head": _l("Head of the agency"),
               "designer": _l("Process designer"), "evaluator": _l("Department evaluator (กลุ่มพัฒนาระบบบริหาร)"),
               "central": _l("Central office"), "admin": _l("Administrator")}


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AgencyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    ministry = StringField(_l("Ministry"), validators=[Optional(), Length(max=255)])
    province = StringField(_l("Province"), validators=[Optional(), Length(max=128)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=64)])
    kind = SelectField(_l("Kind"), default="department", choices=[
        SelectChoice("department", _l("Department")),
        SelectChoice("unit", _l("Unit (division, provincial office, service point)"))])
    parent_id = SelectField(_l("Under"), coerce=int, default=0, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=255)])
    agency_id = SelectField(_l("Agency"), coerce=int, validators=[Optional()])
    roles = MultiCheckbox(_l("Roles"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=256)])
    active = BooleanField(_l("Active"), default=True)


def _refused(form, exc: InvalidInput | Conflict, default_field: str) -> int:
    """Show an engine refusal beside the field it names; the response status for it."""
    field = getattr(form, exc.details.get("field") or default_field, None) or getattr(form, default_field)
    field.errors.append(_("This value cannot be accepted."))
    return 400


def _actor():
    actor = current_user.actor
    if not actor.has("admin"):
        raise Forbidden("administrators only")
    return actor


@bp.route("/agencies", methods=["GET", "POST"])
@login_required
def agencies():
    actor = _actor()
    form = AgencyForm()
    rows = accounts.list_agencies(engine_context(), actor)
    form.parent_id.choices = [SelectChoice(0, _("— none (a department) —"))] + \
        [SelectChoice(a.id, f"{a.code} {a.name}") for a in rows]
    status = 200
    if form.validate_on_submit():
        try:
            accounts.create_agency(engine_context(), actor, form.code.data, form.name.data, form.ministry.data or "",
                                   form.province.data or "", form.region.data or "",
                                   parent_id=form.parent_id.data or None, kind=form.kind.data)
        except (InvalidInput, Conflict) as exc:  # a code already in use is a conflict
            status = _refused(form, exc, "code")
        else:
            flash(_("The agency has been added."), "success")
            return redirect(url_for("admin.agencies"))
    elif request.method == "POST":
        status = 400
    names = {a.id: a.name for a in rows}
    return render_template("admin/agencies.html", form=form, rows=rows, names=names), status


def _agency_choices(actor):
    return [SelectChoice(0, _("— none (central office, designers, administrators) —"))] + \
        [SelectChoice(a.id, f"{a.code} {a.name}") for a in accounts.list_agencies(engine_context(), actor)]


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    actor = _actor()
    form = UserForm()
    form.agency_id.choices = _agency_choices(actor)
    status = 200
    if form.validate_on_submit():
        try:
            if not form.password.data:
                raise InvalidInput("a password is required for a new user", field="password")
            accounts.create_user(engine_context(), actor, form.username.data, form.password.data,
                                 form.display_name.data, form.roles.data, form.agency_id.data or None,
                                 email=form.email.data or "")
        except (InvalidInput, Conflict) as exc:  # a username already in use is a conflict
            status = _refused(form, exc, "username")
        else:
            flash(_("The user has been added."), "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/users.html", form=form, rows=accounts.list_users(engine_context(), actor),
                           role_labels=ROLE_LABELS), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    actor = _actor()
    existing = accounts.get_user(engine_context(), actor, user_id)
    form = UserForm(data={**existing, "agency_id": existing["agency_id"] or 0})
    form.agency_id.choices = _agency_choices(actor)
    status = 200
    if form.validate_on_submit():
        try:
            accounts.update_user(engine_context(), actor, user_id, form.display_name.data, form.email.data or "",
                                 form.roles.data, form.agency_id.data or None, form.active.data,
                                 form.password.data or "")
        except InvalidInput as exc:
            status = _refused(form, exc, "roles")
        else:
            flash(_("The user has been updated."), "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_edit.html", form=form, user=existing), status


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
@login_required
def end_sessions(user_id: int):
    accounts.end_sessions(engine_context(), _actor(), user_id, "ended by an administrator")
    flash(_("Every session of the user has ended."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))
