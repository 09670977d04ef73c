"""Append-only audit trail: every state change adds one event (who, when in UTC, what, before/after).

The events form a chain: each stores the hash of the one before it and its own, an HMAC-SHA256 (keyed
by the application's secret key) of that hash and its content. ``verify`` walks the chain and names any
event rewritten, inserted or removed, at the end too (the head row keeps the last id and hash). Someone
with the database alone cannot rebuild the chain after a change: they lack the key.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import timezone

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from .actors import Actor
from .models import AuditChain, AuditEvent, utcnow

_INSERT = insert(AuditEvent.__table__)
_HEAD = select(AuditChain.__table__.c.last_hash).where(AuditChain.__table__.c.id == 1).with_for_update()
_MOVE_HEAD = update(AuditChain.__table__).where(AuditChain.__table__.c.id == 1)
_START_HEAD = insert(AuditChain.__table__)
KEY_INFO = "audit_key"  # the session factory's info holds the key (engine.context)


def _content(row) -> bytes:
    at = row["at"].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    body = {"at": at, "actor_id": row.get("actor_id"), "action": row["action"], "agency_id": row.get("agency_id"),
            "instance_id": row.get("instance_id"), "task_id": row.get("task_id"), "before": row.get("before"),
            "after": row.get("after"), "comment": row.get("comment") or ""}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def digest(key: bytes, prev_hash: str, row) -> str:
    return hmac.new(key, prev_hash.encode() + b"\n" + _content(row), hashlib.sha256).hexdigest()


def record(session: Session, actor: Actor, action: str, *, agency_id=None, instance_id=None, task_id=None,
           before=None, after=None, comment: str = "") -> None:
    """Add one event to the use case's transaction: it is written, chained, when the transaction commits
    (and never when it rolls back)."""
    session.flush()  # the records it names may still be waiting in the session
    session.info.setdefault(_PENDING, []).append(dict(
        at=utcnow(), actor_id=actor.user_id, action=action, agency_id=agency_id, instance_id=instance_id,
        task_id=task_id, before=before or None, after=after or None, comment=comment))  # {} stored as NULL


_PENDING = "audit_pending"


@event.listens_for(Session, "before_commit")
def _append_chained(session: Session) -> None:
    """Write the transaction's events at its very end, one after another on the chain's head row. The head
    is the last lock a transaction takes, so it never waits for a lock while holding the head."""
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    conn = session.connection()
    prev = conn.execute(_HEAD).scalar()  # locks the head until this transaction ends
    if prev is None:
        conn.execute(_START_HEAD, {"id": 1, "last_event_id": 0, "last_hash": ""})
        prev = ""
    key = session.info.get(KEY_INFO, b"")
    new_id = 0
    for row in rows:
        row["prev_hash"], row["hash"] = prev, digest(key, prev, row)
        # before/after left out when empty: SQL NULL, not JSON null
        new_id = conn.execute(_INSERT, {k: v for k, v in row.items() if v is not None}).inserted_primary_key[0]
        prev = row["hash"]
    conn.execute(_MOVE_HEAD, {"last_event_id": new_id, "last_hash": prev})


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


@dataclass
class Verification:
    checked: int = 0
    before_chain: int = 0  # events written before the chain began (not verifiable)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(session: Session, key: bytes, limit_problems: int = 100) -> Verification:
    """Walk the chain in id order: every event's hash must match its content and the previous event."""
    result = Verification()
    prev, last_sealed, chain_began = "", 0, False
    table = AuditEvent.__table__
    for row in session.connection().execute(select(table).order_by(table.c.id)).mappings():
        if row["hash"] is None:
            if chain_began:
                result.problems.append((row["id"], "an event without a seal was inserted into the chain"))
            else:
                result.before_chain += 1
            continue
        chain_began = True
        result.checked += 1
        if row["prev_hash"] != prev:
            result.problems.append((row["id"], "the event before this one was removed, or this one inserted"))
        if not hmac.compare_digest(digest(key, row["prev_hash"] or "", row), row["hash"]):
            result.problems.append((row["id"], "the event was rewritten after it was recorded"))
        prev, last_sealed = row["hash"], row["id"]
        if len(result.problems) >= limit_problems:
            return result
    head = session.execute(select(AuditChain).where(AuditChain.id == 1)).scalar_one_or_none()
    if head is not None and (head.last_hash != prev or head.last_event_id != last_sealed):
        result.problems.append((head.last_event_id, "events were removed from the end of the chain"))
    return result


def changed(before: dict | None, after: dict | None) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    before, after = before or {}, after or {}
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys if k in before}, {k: after.get(k) for k in keys if k in after}


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target):
    raise RuntimeError("audit events are append-only")
