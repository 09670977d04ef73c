"""An agency's earlier years of the same work: the same process, agency and service process in an
earlier fiscal year (its SLA, plan and results carry over to the next year)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Document, Instance


def previous_instance(session: Session, instance: Instance) -> Instance | None:
    """The same process's instance for the same agency and service process in the latest earlier year."""
    return session.scalar(select(Instance).where(
        Instance.definition_id == instance.definition_id, Instance.agency_id == instance.agency_id,
        Instance.service_process == instance.service_process, Instance.fiscal_year < instance.fiscal_year,
        Instance.status != "cancelled").order_by(Instance.fiscal_year.desc()).limit(1))


def earlier_year_with(session: Session, definition_id: int, agency_id: int, service_process: str,
                      fiscal_year: int, kind: str) -> int:
    """The latest earlier fiscal year whose workflow produced a document of ``kind`` (0: none)."""
    found = session.scalar(
        select(Instance.fiscal_year).join(Document, Document.instance_id == Instance.id).where(
            Instance.definition_id == definition_id, Instance.agency_id == agency_id,
            Instance.service_process == service_process, Instance.fiscal_year < fiscal_year,
            Instance.status != "cancelled", Document.kind == kind)
        .order_by(Instance.fiscal_year.desc()).limit(1))
    return int(found or 0)
