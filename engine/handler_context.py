"""What a service-task handler may use while the engine runs a workflow step.

Handlers stay plain functions ``handler(data, ctx, **params)``; ``ctx`` reads earlier submissions of
the same instance, stores documents and notifies users, all inside the use case's transaction.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import calendar_context, history, notifications
from .models import Agency, Document, Instance, Submission


@dataclass
class HandlerContext:
    session: Session
    instance: Instance
    now: datetime

    @property
    def agency(self) -> Agency:
        return self.session.get(Agency, self.instance.agency_id)

    def submission(self, bpmn_id: str) -> dict | None:
        """The latest data submitted for task ``bpmn_id`` of this instance."""
        row = self.session.scalar(select(Submission).where(
            Submission.instance_id == self.instance.id, Submission.bpmn_id == bpmn_id)
            .order_by(Submission.id.desc()).limit(1))
        return dict(row.data) if row is not None else None

    def previous_submission(self, bpmn_id: str) -> tuple[int, dict] | None:
        """The fiscal year and the latest data submitted for ``bpmn_id`` in the same work's previous year."""
        earlier = history.previous_instance(self.session, self.instance)
        while earlier is not None:
            row = self.session.scalar(select(Submission).where(
                Submission.instance_id == earlier.id, Submission.bpmn_id == bpmn_id)
                .order_by(Submission.id.desc()).limit(1))
            if row is not None:
                return earlier.fiscal_year, dict(row.data)
            earlier = history.previous_instance(self.session, earlier)
        return None

    def publish(self, title: str, content: dict, promised_time: str = "") -> tuple[int, int]:
        """Make this instance's SLA the current public version of its service page (its publication
        was approved in the workflow). Returns (published SLA id, version)."""
        from .services import publication

        return publication.publish(self.session, self.instance, title, content, promised_time, self.now)

    def complaint_update(self, status: str, data: dict) -> None:
        """The complaint this instance handles moves to ``status`` with what the last step recorded."""
        from .services import complaints

        by = self.session.scalar(select(Submission.submitted_by_id).where(
            Submission.instance_id == self.instance.id).order_by(Submission.id.desc()).limit(1))
        complaints.update_from_workflow(self.session, self.instance.id, status, data, by, self.now)

    def save_document(self, kind: str, title: str, body: str) -> int:
        doc = Document(instance_id=self.instance.id, kind=kind, title=title[:255], body=body, created_at=self.now)
        self.session.add(doc)
        self.session.flush()
        return doc.id

    def notify(self, role: str, kind: str = "message", params: dict | None = None, message: str = "") -> int:
        """Notify every active user with ``role`` (officers/supervisors of this agency only)."""
        users = notifications.users_with_role(self.session, role, self.instance.agency_id)
        base = {"service_process": self.instance.service_process, "fiscal_year": self.instance.fiscal_year}
        return notifications.add(self.session, users, kind, self.now, instance_id=self.instance.id,
                                 params={**base, **(params or {})}, message=message)


CURRENT: ContextVar[HandlerContext | None] = ContextVar("slaflow_handler_context", default=None)


@contextmanager
def running(session: Session, instance: Instance, now: datetime, tz: str = "Asia/Bangkok",
            clock: datetime | None = None):
    """While the engine runs a step: handlers get this context; timer helpers get the calendars
    (and ``clock`` as their "now" when due dates are recomputed)."""
    token = CURRENT.set(HandlerContext(session, instance, now))
    try:
        with calendar_context.using(calendar_context.for_session(session, tz, instance.agency_id, clock)):
            yield
    finally:
        CURRENT.reset(token)
