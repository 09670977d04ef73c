"""The Flask app factory. Views are thin: parse input, call one engine use case, render."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, request, session
from flask_babel import Babel, get_locale
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from engine import context as context_mod
from engine.config import Settings

from . import (
    admin,
    auth,
    central,
    complaints,
    dashboard,
    designer,
    designer_import,
    errors,
    filters,
    inbox,
    instances,
    notices,
    operations,
    public,
    records,
    tasks,
)
from .context import engine_context

LANGUAGES = ("th", "en")


class DatabaseId(IntegerConverter):
    """``<int:...>`` in URLs: 0 to 2**63 - 1, what a database key holds; beyond it the page is not found
    (a 404), never an overflow in the database driver (a 500). ASCII digits only: ``/tasks/٣`` is not found."""

    regex = r"[0-9]+"

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2 ** 63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(settings: Settings | None = None, ctx: context_mod.Context | None = None) -> Flask:
    settings = settings or (ctx.settings if ctx else Settings.from_env())
    app = Flask(__name__)
    app.url_map.converters["int"] = DatabaseId  # before any blueprint adds its routes
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        # the cookie is written when the session changes (login, the idle clock every 30 s), not on every
        # answer: static files, fonts and API calls never carry a Set-Cookie (shared caches can keep them,
        # and a late answer cannot bring back a cookie the browser has just dropped)
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=max(settings.upload_max_bytes, settings.bpmn_max_bytes * 20),
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=settings.language,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
    )
    if settings.trusted_proxies > 0:  # the client's address and scheme as the proxies in front saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies,
                                x_host=settings.trusted_proxies)
    app.json.sort_keys = False  # form schemas keep their field order on the page
    # Jinja's |tojson passes its own sort_keys=True unless told otherwise: the page's form would come
    # out in alphabetical order (the analysis before the problems, the comment before the decision)
    app.jinja_env.policies["json.dumps_kwargs"] = {"sort_keys": False}
    app.extensions["slaflow"] = ctx or context_mod.build(settings)

    csrf = CSRFProtect(app)
    Babel(app, locale_selector=_select_locale, timezone_selector=lambda: settings.timezone)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = None
    login.session_protection = "strong"
    login.user_loader(auth.load_user)

    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(instances.bp)
    app.register_blueprint(notices.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(operations.bp)
    app.register_blueprint(designer.bp)
    app.register_blueprint(designer_import.bp)
    app.register_blueprint(central.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(complaints.bp)
    from . import api, health, observability, static_files, tokens

    observability.install(app)
    static_files.install(app)

    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(tokens.bp)
    csrf.exempt(api.bp)  # bearer tokens, never cookies: nothing a cross-site form could ride on
    csrf.exempt(public.bp)  # anonymous answers carry no session to forge; abuse is limited per device and address
    errors.register(app)
    filters.register(app)

    @app.context_processor
    def _page_globals():
        from flask_login import current_user

        from engine.services import inbox
        from engine.services import notices as notice_service

        counts = {}
        if request.blueprint != "public" and current_user.is_authenticated:
            counts["tasks"] = inbox.count(engine_context(), current_user.actor)
            counts["notices"] = notice_service.unread_count(engine_context(), current_user.actor)
        return {"current_lang": str(get_locale() or settings.language), "nav_counts": counts}

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'",
        )
        return response

    return app


def _select_locale():
    lang = request.args.get("lang")
    if request.blueprint == "public":  # public pages keep no session: the language travels in the address
        return lang if lang in LANGUAGES else engine_context().settings.language
    if lang in LANGUAGES:
        session["lang"] = lang
    return session.get("lang") or engine_context().settings.language
