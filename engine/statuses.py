"""The statuses of workflows, their tasks and their deadlines, and the moves between them.

Declared once here; the database holds the same rules (migration 0020: CHECK constraints and
triggers on PostgreSQL, triggers on SQLite), so no writer, ORM or plain SQL, can store a status that
does not exist or make a move that is not declared. ``tests/engine/test_statuses.py`` tries every
declared move and the undeclared ones against both databases.
"""
from __future__ import annotations

from enum import StrEnum

from .errors import Conflict


class InstanceStatus(StrEnum):
    RUNNING = "running"
    STALLED = "stalled"      # not finished, but nothing to do and nothing to wait for (an incident)
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # the workflow took another path (a boundary event, a cancellation)


class DeadlineStatus(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"        # gave up after its attempts: an incident, retried from /operations


TRANSITIONS: dict[type[StrEnum], frozenset[tuple[str, str]]] = {
    InstanceStatus: frozenset({
        ("running", "stalled"), ("running", "completed"), ("running", "cancelled"),
        ("stalled", "running"), ("stalled", "completed"), ("stalled", "cancelled"),
    }),
    TaskStatus: frozenset({("open", "completed"), ("open", "cancelled")}),
    DeadlineStatus: frozenset({
        ("pending", "fired"), ("pending", "cancelled"), ("pending", "failed"),
        ("failed", "pending"), ("failed", "cancelled"),   # retried, or its workflow ended
        ("cancelled", "pending"),                          # re-armed: the same timer or reminder again
        ("fired", "pending"),                              # a cycle timer, or a reminder after a new due date
    }),
}
TABLES = {InstanceStatus: "instance", TaskStatus: "human_task", DeadlineStatus: "deadline"}
ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.STALLED)  # a workflow that can still move


def allowed(kind: type[StrEnum], old: str, new: str) -> bool:
    return old == new or (str(old), str(new)) in TRANSITIONS[kind]


def transition(kind: type[StrEnum], old: str, new: str) -> str:
    """``new`` if the move from ``old`` is declared (or no move), else Conflict."""
    if not allowed(kind, old, new):
        raise Conflict(f"{TABLES[kind]} cannot go from {old} to {new}")
    return new
