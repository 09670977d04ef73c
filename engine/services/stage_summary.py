"""The stage summary (``StageSummary``): where each agency stands in each stage of a process in a fiscal
year, merged over its workflows of that process. Written in the transaction that changes a workflow's
progress or cancels it, read by the central office's aggregates."""
from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..models import Agency, Instance, StageSummary

DONE, CURRENT = 1, 2


def refresh(session: Session, agency_id: int, fiscal_year: int, definition_id: int) -> None:
    """Rewrite the agency's rows for one process and year from its workflows' progress ("current" wins).

    Two workflows of one agency saved at once (two timers firing) would both rewrite the same rows: the
    agency's row is locked first (PostgreSQL; SQLite has one writer), so the second waits, then reads
    the first one's committed progress too."""
    session.execute(select(Agency.id).where(Agency.id == agency_id).with_for_update())
    merged: dict[str, int] = {}
    for progress in session.scalars(select(Instance.progress).where(
            Instance.agency_id == agency_id, Instance.fiscal_year == fiscal_year,
            Instance.definition_id == definition_id, Instance.status != "cancelled")):
        for stage_id, state in (progress or {}).items():
            merged[stage_id] = max(merged.get(stage_id, 0), CURRENT if state == "current" else DONE)
    key = (StageSummary.agency_id == agency_id, StageSummary.fiscal_year == fiscal_year,
           StageSummary.definition_id == definition_id)
    session.execute(delete(StageSummary).where(*key))
    if merged:
        session.execute(insert(StageSummary), [
            dict(fiscal_year=fiscal_year, definition_id=definition_id, agency_id=agency_id, stage_id=stage_id,
                 state=state) for stage_id, state in merged.items()])
