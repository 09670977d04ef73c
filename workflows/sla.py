"""Service-task handlers of the SLA lifecycle: ``handler(data, ctx, **params)`` -> JSON-able result."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import documents


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def average_progress(data: dict, ctx=None, report: str = "report_12m") -> dict:
    """Average % progress of the plan activities of the final report (2 decimal places, half up)."""
    source = (ctx.submission(report) if ctx is not None else None) or data
    values = [v for v in (_decimal(row.get("progress")) for row in source.get("activities") or []
                          if isinstance(row, dict)) if v is not None]
    if not values:
        return {"average": None, "count": 0}
    avg = (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"average": str(avg), "count": len(values), "reported_success": source.get("success_percent")}


def mark_late(data: dict, ctx=None, round: int = 0) -> dict:  # noqa: A002 - the diagram's parameter name
    """A report passed its due date without being submitted: tell the agency's supervisors."""
    notified = 0
    if ctx is not None:
        notified = ctx.notify("supervisor", "report_late", {"round": round})
        late_since = ctx.now.isoformat()
    else:
        late_since = None
    return {"round": round, "late_since": late_since, "notified": notified}


def render_document(data: dict, ctx=None) -> dict:
    """Render the approved SLA as a printable Thai document and keep it with the instance."""
    if ctx is None:
        raise RuntimeError("rendering the SLA needs the running instance")
    stage2 = ctx.submission("stage2_sla") or {}
    selected = ctx.submission("select_process") or {}
    title = f"ข้อตกลงระดับการให้บริการ {selected.get('process_name') or data.get('service_process', '')}"
    body = documents.render_sla(title=title, agency=ctx.agency.name, fiscal_year=data.get("fiscal_year"),
                                stage2=stage2, approved_on=ctx.now)
    doc_id = ctx.save_document("sla", title, body)
    return {"document_id": doc_id, "title": title}


def carry_over(data: dict, ctx=None) -> dict:
    """Keep last year's SLA for this fiscal year: its plan and service levels carry over, and the SLA
    document gets this year's version (stages 1–2 were not revised)."""
    if ctx is None:
        raise RuntimeError("carrying the SLA over needs the running instance")
    found = ctx.previous_submission("stage2_sla")
    if found is None:
        return {"carried": False}
    from_year, stage2 = found
    selected = ctx.submission("select_process") or {}
    name = selected.get("process_name") or data.get("service_process", "")
    title = f"ข้อตกลงระดับการให้บริการ {name}"
    body = documents.render_sla(title=title, agency=ctx.agency.name, fiscal_year=data.get("fiscal_year"),
                                stage2=stage2, approved_on=ctx.now, carried_from=from_year)
    doc_id = ctx.save_document("sla", title, body)
    return {"carried": True, "from_fiscal_year": from_year, "document_id": doc_id, "title": title}


def public_content(stage2: dict, published: dict) -> dict:
    """What the public page shows of an SLA: scope, requirements, service levels, steps, complaint
    channels and, for a service that needs a permit, the citizen manual."""
    sla = stage2.get("sla") or {}
    return {
        "services": sla.get("services") or [], "places": sla.get("places") or [],
        "documents": sla.get("documents") or [], "fees": sla.get("fees") or [],
        "time": {"value": sla.get("service_time_value"), "unit": sla.get("service_time_unit")},
        "quality": sla.get("quality") or [],
        "steps": sorted(stage2.get("new_steps") or [], key=lambda s: s.get("order", 0)),
        "complaints": sla.get("complaint_channels") or [],
        "manual": stage2.get("manual") or {},
        "online_url": published.get("online_url") or "",
        "published_on": published.get("published_on") or "",
    }


def promised_time(content: dict) -> str:
    time = content.get("time") or {}
    if not time.get("value"):
        return ""
    return f"{documents.number(time['value'])} {documents.TIME_UNITS.get(time.get('unit'), time.get('unit') or '')}"


def publish(data: dict, ctx=None) -> dict:
    """The publication was approved: the SLA (this year's stage 2, or last year's kept) becomes the
    current version of the service's public page."""
    if ctx is None:
        raise RuntimeError("publishing needs the running instance")
    stage2 = ctx.submission("stage2_sla")
    if stage2 is None:
        found = ctx.previous_submission("stage2_sla")
        stage2 = found[1] if found else {}
    selected = ctx.submission("select_process") or {}
    name = selected.get("process_name") or data.get("service_process", "")
    content = public_content(stage2, ctx.submission("publish_sla") or {})
    page_id, version = ctx.publish(name, content, promised_time(content))
    return {"public_sla_id": page_id, "version": version}


def complaint_update(data: dict, ctx=None, status: str = "") -> dict:
    """The complaint workflow reached a new status (assigned, answered, closed)."""
    if ctx is None:
        raise RuntimeError("updating a complaint needs the running instance")
    ctx.complaint_update(status, data)
    return {"status": status}


def notify(data: dict, ctx=None, role: str = "officer", message: str = "") -> dict:
    """Generic notification from a diagram: ``notify`` service task with role and message."""
    return {"notified": ctx.notify(role, "message", message=message) if ctx is not None and message else 0}
