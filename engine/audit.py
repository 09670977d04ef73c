"""Append-only audit trail: every state change adds one event (who, when in UTC, what, before/after)."""
from __future__ import annotations

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from .actors import Actor
from .models import AuditEvent, utcnow

_INSERT = insert(AuditEvent.__table__)


def record(session: Session, actor: Actor, action: str, *, agency_id=None, instance_id=None, task_id=None,
           before=None, after=None, comment: str = "") -> None:
    """Append one event in the use case's transaction (it commits or rolls back with the change)."""
    session.flush()  # the records it names may still be waiting in the session
    row = dict(at=utcnow(), actor_id=actor.user_id, action=action, agency_id=agency_id, instance_id=instance_id,
               task_id=task_id, before=before, after=after, comment=comment)
    # before/after left out when empty: SQL NULL, not JSON null
    session.connection().execute(_INSERT, {k: v for k, v in row.items() if v is not None})


def changed(before: dict | None, after: dict | None) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    before, after = before or {}, after or {}
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys if k in before}, {k: after.get(k) for k in keys if k in after}


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target):
    raise RuntimeError("audit events are append-only")
