"""What the engine knows of a deployed process is what its profile says: the workflow glue declares
one profile per shipped process (``PROFILES`` beside the handlers). The engine names no process,
task or milestone itself, so a designer can add a process with its own scoring without touching it.

A profile says which top-level elements are the stages dashboards show, which forms record
decisions (history, never prefilled), which calendar its due dates come from, which tasks are the
reports whose lateness costs points (and which approvals send them to the evaluator), how the
evaluation group of an instance is known at start, and how an instance's work becomes the results
its KPI scheme scores (``results(facts)``: source name -> value).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

DECISION_FORMS = ("review.schema.json", "escalation.schema.json")


@dataclass(frozen=True)
class Report:
    """Work due to the evaluator (a report, a stage's deliverable). Days late run from ``task``'s due
    date to the approval (a submission with ``decision == "approve"`` of one of ``sent_by``) that
    sends it to the evaluator, or to the task's completion when nobody approves it. Before the task
    is reached its due date is the calendar's ``milestone``."""

    task: str
    sent_by: tuple[str, ...]
    source: str = ""     # the result name (an indicator's ``source``) whose days late it adds to
    label: str = ""
    milestone: str = ""  # the calendar date it is due on
    stage: str = ""      # the top-level element (stage) it belongs to


@dataclass(frozen=True)
class Group:
    code: str
    title: str
    title_en: str = ""
    short: str = ""


@dataclass(frozen=True)
class Sent:
    """One submission as a profile sees it."""

    bpmn_id: str
    data: dict
    at: datetime


@dataclass(frozen=True)
class TaskFact:
    bpmn_id: str
    status: str
    due_at: datetime | None
    completed_at: datetime | None


@dataclass
class Facts:
    """What a profile reads of one instance (and of the same service process's previous year)."""

    service_process: str
    fiscal_year: int
    group: str
    progress: dict
    submissions: list[Sent] = field(default_factory=list)
    tasks: list[TaskFact] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)   # kinds of the documents produced
    previous: Facts | None = None

    def latest(self, *bpmn_ids: str) -> dict:
        """The latest data submitted for the first of ``bpmn_ids`` that has any ({} when none)."""
        for bpmn_id in bpmn_ids:
            for sub in reversed(self.submissions):
                if sub.bpmn_id == bpmn_id:
                    return sub.data
        return {}

    def done(self, bpmn_id: str) -> bool:
        return any(t.bpmn_id == bpmn_id and t.status == "completed" for t in self.tasks)

    def approved(self, bpmn_id: str) -> bool:
        return any(s.bpmn_id == bpmn_id and s.data.get("decision") == "approve" for s in self.submissions)


@dataclass(frozen=True)
class Profile:
    process_id: str
    calendar: str = ""                                  # the evaluator's reporting calendar
    stages: tuple[str, ...] = ()                         # top-level elements shown as stages (empty: all)
    main: bool = False                                   # the process the central view is about
    decision_forms: tuple[str, ...] = DECISION_FORMS
    reports: tuple[Report, ...] = ()
    groups: tuple[Group, ...] = ()
    # the evaluation group is known at start: did an earlier year produce a document of ``earlier_document``?
    group_at_start: Callable[[bool], str] | None = None
    earlier_document: str = ""
    # data the workflow starts with, given the latest earlier fiscal year with that document (0: none)
    start_data: Callable[[int], dict] | None = None
    results: Callable[[Facts], dict] | None = None
    evidence: Callable[[Facts], dict] | None = None       # source name -> files of evidence
    # what its public page will show, before publication (title, content, promised time)
    public_page: Callable[[Facts], tuple[str, dict, str]] | None = None
    poster_tasks: tuple[str, ...] = ()                   # tasks that offer the poster for download
    measure_tasks: tuple[str, ...] = ()                  # report tasks prefilled with the measured figures
    handles_complaints: bool = False                     # the process each complaint runs
    listed: bool = True                                  # shown among an agency's workflows on its dashboard

    def is_decision(self, form: str) -> bool:
        return bool(form) and form.endswith(self.decision_forms)

    def group_title(self, code: str, short: bool = False) -> str:
        return next(((g.short if short and g.short else g.title) for g in self.groups if g.code == code), code)


GENERIC = Profile(process_id="")

_PROFILES: dict[str, Profile] = {}


def install(profiles) -> None:
    """Register the profiles the workflow glue declares (called when the engine is built)."""
    _PROFILES.clear()
    for p in (profiles.values() if isinstance(profiles, dict) else profiles):
        _PROFILES[p.process_id] = p


def of(process_id: str | None) -> Profile:
    """The profile of a process; a process without one gets the generic profile (no scoring)."""
    return _PROFILES.get(process_id or "", GENERIC)


def of_instance(session, instance) -> Profile:
    """The profile of a running instance's process."""
    from sqlalchemy import select

    from .models import ProcessDefinition

    return of(session.scalar(select(ProcessDefinition.process_id)
                             .where(ProcessDefinition.id == instance.definition_id)))


def all_profiles() -> list[Profile]:
    return list(_PROFILES.values())


def main() -> Profile | None:
    return next((p for p in _PROFILES.values() if p.main), None)
