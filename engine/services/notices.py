"""A user's notifications: list, unread count, mark read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from .. import notifications
from ..actors import Actor
from ..context import Context
from ..models import Notification, utcnow


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    text: str
    created_at: datetime
    read: bool
    task_id: int | None
    instance_id: int | None


def unread_count(ctx: Context, actor: Actor) -> int:
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == actor.user_id, Notification.read_at.is_(None)))


def recent(ctx: Context, actor: Actor, lang: str = "th", limit: int = 100) -> list[Notice]:
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(Notification).where(Notification.user_id == actor.user_id)
                                   .order_by(Notification.id.desc()).limit(max(1, min(limit, 500))))
        return [Notice(n.id, n.kind, notifications.text(n.kind, n.params, lang, n.message), n.created_at,
                       n.read_at is not None, n.task_id, n.instance_id) for n in rows]


def mark_all_read(ctx: Context, actor: Actor) -> int:
    with ctx.uow() as uow:
        result = uow.session.execute(update(Notification).where(
            Notification.user_id == actor.user_id, Notification.read_at.is_(None)).values(read_at=utcnow()))
        uow.commit()
        return result.rowcount
