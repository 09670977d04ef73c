"""One move of a workflow, the same for every writer (a submit, a timer, a start, a cancellation, a
calendar recompute, a migration): in the caller's transaction, with the instance already locked,

    load the state -> run the change under the handler and calendar context -> save (the state, its
    open tasks and timers closed or opened to match, the stage summary) -> one audit event.

Nothing is written when the change raises, or when it reports that it changed nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import audit
from ..actors import Actor
from ..context import Context
from ..handler_context import running
from ..models import Instance
from .state import Known, load_workflow, save_workflow

UNCHANGED = object()  # what ``change`` returns when there is nothing to save


def step(session: Session, ctx: Context, instance: Instance, now: datetime, change: Callable[[Any], Any], *,
         actor: Actor, action: str, after: dict | Callable[[Any], dict] | None = None, before: dict | None = None,
         task_id: int | None = None, wf=None, open_tasks: dict | None = None, cancelled: bool = False,
         in_context: bool = True, comment: str = "") -> Any:
    """Run ``change(wf)`` on the instance's workflow and save it; returns what ``change`` returned.

    ``wf``: a workflow already at hand (a new one, or one loaded before the instance changed version).
    ``open_tasks``: the open task rows the caller read under the lock (then saving need not read them).
    ``in_context``: False when ``change`` sets up its own calendar context (one per timer, say).
    """
    wf = wf if wf is not None else load_workflow(ctx, instance)
    known = Known(open_tasks=open_tasks, timers=ctx.runtime.timers(wf)) if open_tasks is not None else None
    if in_context:
        with running(session, instance, now, ctx.settings.timezone):
            outcome = change(wf)
    else:
        outcome = change(wf)
    if outcome is UNCHANGED:
        return outcome
    save_workflow(session, ctx, instance, wf, now, known, cancelled=cancelled)
    audit.record(session, actor, action, agency_id=instance.agency_id, instance_id=instance.id, task_id=task_id,
                 before=before, after=after(outcome) if callable(after) else after, comment=comment)
    return outcome
