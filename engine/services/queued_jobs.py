"""Queued work the scheduler takes one job at a time (calendar recomputes, fiscal-year kick-offs): the
claim of the next job, and the loop that runs every claimable one. A job is claimable when queued, or
when running without a heartbeat for ``stale`` (its scheduler died): it is then taken up again from
the cursor it recorded with its last piece of work."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ..clock import utcnow
from ..context import Context

log = logging.getLogger(__name__)
STALE = timedelta(minutes=5)


def claim(ctx: Context, model, now: datetime, total: Callable, stale: timedelta = STALE):
    """Mark the next claimable job of ``model`` running (``total(session, job)`` counts a new one's work)
    and return it detached, or None."""
    with ctx.uow() as uow:
        s = uow.session
        job = s.scalar(select(model).where(or_(
            model.status == "queued", (model.status == "running") & (model.heartbeat_at < now - stale)))
            .order_by(model.id).limit(1).with_for_update(skip_locked=True))
        if job is None:
            return None
        if job.status == "queued":
            job.started_at = now
            job.total = total(s, job)
        else:
            log.warning("%s %s taken up again after %s", model.__tablename__, job.id, job.cursor)
        job.status, job.heartbeat_at = "running", now
        uow.commit()
        s.expunge(job)
        return job


def run_all(ctx: Context, model, total: Callable, run: Callable) -> list[int]:
    """Run every claimable job to its end; returns their ids (the scheduler calls this at each tick)."""
    done = []
    while (job := claim(ctx, model, utcnow(), total)) is not None:
        run(ctx, job)
        done.append(job.id)
    return done
