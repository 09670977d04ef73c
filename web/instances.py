"""Instance page (diagram with progress, timeline, documents, deadlines) and produced documents."""
from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required

from engine.services import instance_page

from .context import engine_context

bp = Blueprint("instances", __name__)


@bp.route("/instances/<int:instance_id>")
@login_required
def show(instance_id: int):
    page = instance_page.get(engine_context(), current_user.actor, instance_id)
    config = {"diagrams": page.diagrams, "states": page.element_states}
    return render_template("instance.html", page=page, config=config)


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    doc = instance_page.document(engine_context(), current_user.actor, document_id)
    # the body is HTML rendered by the workflow glue with autoescaping; print it as it is
    return Response(doc.body, mimetype="text/html")


@bp.route("/instances/<int:instance_id>/poster.pdf")
@login_required
def poster(instance_id: int):
    """The poster for the service point, as the SLA will be published (the publication task offers it)."""
    from engine.services import publication

    from . import poster as posters
    from .public import public_url

    page = publication.preview(engine_context(), current_user.actor, instance_id)
    pdf = posters.render(page, public_url(page.agency_code, page.slug),
                         public_url(page.agency_code, page.slug, "public.survey"))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="poster-{page.agency_code}.pdf"'})
