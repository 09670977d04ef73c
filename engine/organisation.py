"""The organisation tree: ministry (a name on each agency) → department → unit (division, provincial
office, service point). A department's evaluator oversees the department and every unit below it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Agency

KINDS = ("department", "unit")
MAX_DEPTH = 8


def subtree(session: Session, agency_id: int | None) -> frozenset[int]:
    """``agency_id`` and every agency below it (breadth first, a bounded depth: no cycle can hang)."""
    if agency_id is None:
        return frozenset()
    found, frontier = {agency_id}, {agency_id}
    for _ in range(MAX_DEPTH):
        children = set(session.scalars(select(Agency.id).where(Agency.parent_id.in_(frontier)))) - found
        if not children:
            break
        found |= children
        frontier = children
    return frozenset(found)


def ancestors(session: Session, agency_id: int) -> list[int]:
    """The agencies above ``agency_id``, nearest first."""
    out, current = [], session.get(Agency, agency_id)
    while current is not None and current.parent_id is not None and len(out) < MAX_DEPTH:
        if current.parent_id in out or current.parent_id == agency_id:
            break
        out.append(current.parent_id)
        current = session.get(Agency, current.parent_id)
    return out
