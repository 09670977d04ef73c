"""Read model of one instance's page: diagram sources with the state of each element, timeline,
documents, open tasks and upcoming deadlines."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from sqlalchemy import select

from ..actors import Actor
from ..context import Context
from ..errors import NotFound
from ..models import AuditEvent, Deadline, Document, HumanTask, Instance, ProcessDefinition, Submission, User
from . import records
from .state import load_workflow

ACTIONS_SHOWN = ("instance.start", "instance.cancel", "task.claim", "task.unclaim", "task.submit", "timer.fire",
                 "file.upload")


@dataclass(frozen=True)
class Event:
    at: datetime
    who: str
    action: str
    task_name: str
    comment: str
    decision: str = ""  # a review's decision, as its form names it ("อนุมัติ", "ส่งกลับให้แก้ไข")


@dataclass(frozen=True)
class InstancePage:
    id: int
    agency_name: str
    service_process: str
    fiscal_year: int
    status: str
    process_id: str
    process_name: str
    version: int
    diagrams: list[dict]  # [{"file": name, "xml": text, "process_ids": [...]}], main process first
    element_states: dict[str, dict[str, str]]  # process id -> element id -> done | current
    events: list[Event] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    open_tasks: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    measurement: object = None  # the service against its SLA in the fiscal year (from its records)


def _diagram_title(xml: str, filename: str) -> str:
    """A diagram's tab: the name of its (first) process as people named it, else its file's name."""
    from lxml import etree

    try:
        root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return filename
    process = root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
    return (process.get("name") if process is not None else None) or filename.removesuffix(".bpmn")


def _decisions(s, version, rows) -> dict[int, str]:
    """{audit event id: the decision its submission made, titled as the task's form titles it}."""
    wanted = {(ev.after or {}).get("submission_id"): (ev.id, form) for ev, _, _, form in rows
              if ev.action == "task.submit" and (ev.after or {}).get("submission_id")}
    if not wanted:
        return {}
    out = {}
    for sub_id, data in s.execute(select(Submission.id, Submission.data).where(Submission.id.in_(list(wanted)))):
        decision = (data or {}).get("decision") if isinstance(data, dict) else None
        if not isinstance(decision, str):
            continue
        event_id, form = wanted[sub_id]
        field = (((version.forms or {}).get(form) or {}).get("properties") or {}).get("decision") or {}
        values, titles = field.get("enum") or [], field.get("x-enum-titles") or []
        out[event_id] = titles[values.index(decision)] if decision in values and values.index(decision) < len(
            titles) else decision
    return out


def _element_names(sources: dict) -> dict[str, str]:
    names = {}
    for xml in sources.values():
        root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
        names.update({el.get("id"): el.get("name") for el in root.iter() if isinstance(el.tag, str)
                      and el.get("id") and el.get("name")})
    return names


def get(ctx: Context, actor: Actor, instance_id: int) -> InstancePage:
    with ctx.uow(write=False) as uow:
        s = uow.session
        instance = s.get(Instance, instance_id)
        if instance is None or not actor.can_see_agency(instance.agency_id):
            raise NotFound("instance not found")
        definition = s.get(ProcessDefinition, instance.definition_id)
        version = instance.version
        wf = load_workflow(ctx, instance)
        states = ctx.runtime.element_states(wf)
        diagrams = []
        for name, xml in sorted(version.sources.items()):
            ids = [pid for pid in states if f'id="{pid}"' in xml]
            entry = {"file": name, "xml": xml, "process_ids": ids, "title": _diagram_title(xml, name)}
            if f'<bpmn:process id="{definition.process_id}"' in xml or f'process id="{definition.process_id}"' in xml:
                diagrams.insert(0, entry)
            else:
                diagrams.append(entry)
        rows = s.execute(select(AuditEvent, User.display_name, HumanTask.name, HumanTask.form)
                         .outerjoin(User, User.id == AuditEvent.actor_id)
                         .outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
                         .where(AuditEvent.instance_id == instance.id, AuditEvent.action.in_(ACTIONS_SHOWN))
                         .order_by(AuditEvent.id.desc()).limit(500)).all()
        decisions = _decisions(s, version, rows)
        events = [Event(ev.at, who or "", ev.action, task_name or (ev.after or {}).get("timer", ""), ev.comment,
                        decisions.get(ev.id, "")) for ev, who, task_name, _ in rows]
        documents = [{"id": d.id, "kind": d.kind, "title": d.title, "created_at": d.created_at}
                     for d in s.scalars(select(Document).where(Document.instance_id == instance.id)
                                        .order_by(Document.id))]
        open_tasks = [{"id": t.id, "bpmn_id": t.bpmn_id, "name": t.name, "role": t.role, "due_at": t.due_at}
                      for t in s.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                                 HumanTask.status == "open"))]
        names = _element_names(version.sources)
        deadlines = [{"bpmn_id": d.bpmn_id, "name": names.get(d.bpmn_id) or d.bpmn_id, "due_at": d.due_at}
                     for d in s.scalars(select(Deadline).where(Deadline.instance_id == instance.id,
                                                               Deadline.kind == "timer",
                                                               Deadline.status == "pending")
                                        .order_by(Deadline.due_at))]
        measured = next((m for m in records.measurement(s, instance.agency_id, instance.fiscal_year)
                         if m.service_process == instance.service_process), None)
        return InstancePage(instance.id, instance.agency.name, instance.service_process, instance.fiscal_year,
                            instance.status, definition.process_id, definition.name, version.version, diagrams,
                            states, events, documents, open_tasks, deadlines, measured)


def document(ctx: Context, actor: Actor, document_id: int) -> Document:
    with ctx.uow(write=False) as uow:
        doc = uow.session.get(Document, document_id)
        if doc is None:
            raise NotFound("document not found")
        instance = uow.session.get(Instance, doc.instance_id)
        if not actor.can_see_agency(instance.agency_id):
            raise NotFound("document not found")
        return doc
