"""The public face of an SLA: no login, no session cookie, a strict content policy. Citizens find a
published SLA, read it on a phone, print the citizen manual or the poster, and answer the survey."""
from __future__ import annotations

from email.utils import format_datetime

from flask import Blueprint, Response, abort, render_template, request, url_for

from engine.services import publication

from .context import engine_context
from .params import page_arg

bp = Blueprint("public", __name__, url_prefix="/public")

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self'; "
       "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
MAX_AGE = 300


@bp.after_request
def _public_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers.pop("Set-Cookie", None)  # nothing here may identify a reader
    response.headers.setdefault("Cache-Control", f"public, max-age={MAX_AGE}")
    response.vary.add("Accept-Language")
    return response


@bp.route("/")
def index():
    found = publication.directory(engine_context(), request.args.get("q", ""), request.args.get("ministry", ""),
                                  request.args.get("province", ""), page_arg(request.args.get("page")))
    pages = max(1, (found.total + publication.PAGE - 1) // publication.PAGE)
    args = {k: v for k, v in request.args.items() if k in ("q", "ministry", "province", "lang")}
    return render_template("public/index.html", found=found, pages=pages, args=args)


def _conditional(agency_code: str, slug: str):
    """A 304 when the reader's copy is current (ETag / Last-Modified of the current version)."""
    found = publication.validator(engine_context(), agency_code, slug)
    if found is None:
        abort(404)
    version_id, updated = found
    etag = f'v{version_id}-{int(updated.timestamp())}-{request.args.get("lang", "")[:2]}'
    if "If-None-Match" in request.headers:
        unchanged = request.if_none_match.contains(etag)
    else:
        unchanged = bool(request.if_modified_since) and updated.replace(microsecond=0) <= request.if_modified_since
    if unchanged:
        return None, etag, updated
    return True, etag, updated


def _cached(response: Response, etag: str, updated) -> Response:
    response.set_etag(etag)
    response.headers["Last-Modified"] = format_datetime(updated.replace(microsecond=0), usegmt=True)
    return response


@bp.route("/<agency_code>/<slug>")
def sla(agency_code: str, slug: str):
    fresh, etag, updated = _conditional(agency_code, slug)
    if fresh is None:
        return _cached(Response(status=304), etag, updated)
    from engine.services import surveys

    page = publication.page(engine_context(), agency_code, slug)
    open_now = surveys.form_for(engine_context(), _today()) is not None
    return _cached(Response(render_template("public/sla.html", page=page, c=page.content, survey_open=open_now)),
                   etag, updated)


@bp.route("/<agency_code>/<slug>/manual")
def manual(agency_code: str, slug: str):
    page = publication.page(engine_context(), agency_code, slug)
    if not (page.content.get("manual") or {}).get("needs_permit"):
        abort(404)
    return render_template("public/manual.html", page=page, c=page.content, m=page.content["manual"])


def public_url(agency_code: str, slug: str, endpoint: str = "public.sla") -> str:
    base = engine_context().settings.base_url.rstrip("/") if engine_context().settings.base_url else \
        request.host_url.rstrip("/")
    return base + url_for(endpoint, agency_code=agency_code, slug=slug)


def _today():
    from zoneinfo import ZoneInfo

    from engine.clock import utcnow

    return utcnow().astimezone(ZoneInfo(engine_context().settings.timezone)).date()


@bp.route("/<agency_code>/<slug>/poster.pdf")
def poster(agency_code: str, slug: str):
    from . import poster as posters

    page = publication.page(engine_context(), agency_code, slug)
    pdf = posters.render(page, public_url(agency_code, slug),
                         public_url(agency_code, slug, "public.survey"))
    name = f"poster-{agency_code}-{page.version}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


class AddressLimiter:
    """At most ``limit`` answers per address in ``window`` seconds, counted in the database (every web
    worker sees the same count)."""

    def __init__(self, limit: int = 30, window: int = 600):
        self.limit, self.window = limit, window

    def allow(self, address: str) -> bool:
        from engine.services import rate_limits

        return rate_limits.take(engine_context(), address, self.limit, self.window)


LIMITER = AddressLimiter()


@bp.route("/<agency_code>/<slug>/survey", methods=["GET", "POST"])
def survey(agency_code: str, slug: str):
    from engine.errors import Conflict, InvalidInput
    from engine.services import surveys

    ctx = engine_context()
    page = publication.page(ctx, agency_code, slug)
    form = surveys.form_for(ctx, _today())
    if form is None:
        return render_template("public/survey.html", page=page, form=None, errors=[], values={}), 200
    errors, values, status = [], {}, 200
    if request.method == "POST":
        if not LIMITER.allow(request.remote_addr or "-"):
            return render_template("public/survey.html", page=page, form=form, errors=["rate"], values={}), 429
        values = {k: v for k, v in request.form.items() if k != "group"}
        group = request.form.get("group", "")
        device = surveys.device_key(ctx.settings.secret_key, request.remote_addr or "-",
                                    request.headers.get("User-Agent", ""), _today())
        try:
            surveys.respond(ctx, agency_code, slug, group, values, device)
        except InvalidInput as exc:
            errors, status = exc.details.get("errors") or [exc.details.get("field", "")], 400
        except Conflict:
            errors, status = ["already"], 409
        else:
            return render_template("public/survey_thanks.html", page=page)
        values["group"] = group
    return render_template("public/survey.html", page=page, form=form, errors=errors, values=values), status


@bp.route("/<agency_code>/<slug>/complaint", methods=["GET", "POST"])
def complaint(agency_code: str, slug: str):
    from engine.errors import InvalidInput
    from engine.services import complaints

    ctx = engine_context()
    page = publication.page(ctx, agency_code, slug)
    errors, values, status = [], {}, 200
    if request.method == "POST":
        if not LIMITER.allow(request.remote_addr or "-"):
            return render_template("public/complaint.html", page=page, errors=["rate"], values={},
                                   categories=complaints.CATEGORIES), 429
        values = {k: request.form.get(k, "") for k in ("category", "subject", "detail", "name", "phone", "email")}
        try:
            code = complaints.file_public(ctx, agency_code, slug, **values)
        except InvalidInput as exc:
            errors, status = exc.details.get("errors") or [exc.details.get("field", "")], 400
        else:
            return render_template("public/complaint_received.html", page=page, code=code)
    return render_template("public/complaint.html", page=page, errors=errors, values=values,
                           categories=complaints.CATEGORIES), status


@bp.route("/complaints")
def complaint_status():
    from engine.errors import NotFound
    from engine.services import complaints

    code, found = request.args.get("code", "").strip(), None
    if code:
        try:
            found = complaints.lookup(engine_context(), code)
        except NotFound:
            found = None
    response = Response(render_template("public/complaint_status.html", code=code, found=found))
    response.headers["Cache-Control"] = "no-store"
    return response
