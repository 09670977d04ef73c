"""Login, logout and password change."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from engine.errors import InvalidInput
from engine.services import accounts, rate_limits

bp = Blueprint("auth", __name__)


class WebUser(UserMixin):
    def __init__(self, actor, profile: dict):
        self.actor = actor
        self.profile = profile
        self.id = actor.user_id

    def get_id(self):
        return str(self.id)


def load_user(user_id: str):
    """The session's user, unless the session has ended: its epoch was raised (logout elsewhere, password
    changed, ended by an administrator), it was idle too long, or it is older than the absolute limit."""
    from .context import engine_context

    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    ctx = engine_context()
    found = accounts.load_session_user(ctx, uid)
    if found is None:
        return None
    now = time.time()
    settings = ctx.settings
    began, seen = session.get("began_at", 0), session.get("seen_at", 0)
    if (session.get("epoch") != found[1]["session_epoch"] or now - began > settings.session_max_hours * 3600
            or now - seen > settings.session_idle_minutes * 60):
        return None
    if now - seen > 30:  # the cookie is rewritten at most every 30 s for the idle clock
        session["seen_at"] = now
    return WebUser(*found)


def _begin_session(profile: dict) -> None:
    now = time.time()
    session["epoch"], session["began_at"], session["seen_at"] = profile["session_epoch"], now, now


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class PasswordForm(FlaskForm):
    old_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=256)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ"))])


class LoginLimiter:
    """The login limits of ``engine.services.rate_limits`` (in the database: every worker counts the
    same failures), with this app's settings."""

    @staticmethod
    def _ctx():
        from .context import engine_context

        return engine_context()

    def blocked(self, keys) -> bool:
        ctx = self._ctx()
        return rate_limits.blocked(ctx, keys, ctx.settings.login_max_attempts, ctx.settings.login_window_seconds)

    def fail(self, keys) -> None:
        ctx = self._ctx()
        rate_limits.fail(ctx, keys, ctx.settings.login_window_seconds)

    def reset(self, keys) -> None:
        rate_limits.reset(self._ctx(), keys)


LIMITER = LoginLimiter()


def _safe_next(target: str | None) -> str:
    r"""A same-site relative path to go on to after login, else the inbox.

    Browsers drop tabs and line breaks from a URL and read ``\`` as ``/``, so ``/\t/evil.example``
    would become ``//evil.example``: any control character, space or backslash is refused outright."""
    if (target and len(target) <= 2000 and target.startswith("/") and not target.startswith("//")
            and not any(ch <= " " or ch == "\x7f" or ch == "\\" for ch in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    from .context import engine_context

    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        ctx = engine_context()
        keys = ("u:" + form.username.data.strip().lower(), "ip:" + (request.remote_addr or "-"))
        if LIMITER.blocked(keys):
            flash(_("Too many failed attempts. Please wait a few minutes and try again."), "error")
            status = 429
        else:
            actor = accounts.authenticate(ctx, form.username.data, form.password.data, request.remote_addr or "")
            if actor is None:
                LIMITER.fail(keys)
                flash(_("Wrong username or password."), "error")
                status = 401
            else:
                LIMITER.reset(keys)
                lang = session.get("lang")
                session.clear()  # a fresh session at login: nothing carried over from before
                if lang:
                    session["lang"] = lang
                profile = accounts.user_profile(ctx, actor.user_id)
                login_user(WebUser(actor, profile))
                _begin_session(profile)
                session.permanent = True
                return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    from .context import engine_context

    if current_user.is_authenticated:  # logging out ends the user's sessions everywhere
        accounts.end_sessions(engine_context(), current_user.actor, current_user.actor.user_id, "logout")
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    from .context import engine_context

    form = PasswordForm()
    status = 200
    keys = (f"pw:{current_user.actor.user_id}",)  # guessing the current password is limited like logins
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        elif LIMITER.blocked(keys):
            flash(_("Too many failed attempts. Please wait a few minutes and try again."), "error")
            status = 429
        else:
            try:
                epoch = accounts.change_password(engine_context(), current_user.actor, form.old_password.data,
                                                 form.new_password.data)
            except InvalidInput:
                LIMITER.fail(keys)
                form.old_password.errors.append(_("The current password is wrong."))
                status = 400
            else:
                session["epoch"] = epoch  # this session lives on; the user's others have ended
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("inbox.index"))
    return render_template("password.html", form=form), status


__all__ = ["bp", "load_user", "LIMITER", "current_app"]
