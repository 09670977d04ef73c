"""Process design: drafts (per designer, never run), validation by element, deploy from a draft,
deployed versions with the elements that changed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import select

from .. import audit
from ..actors import Actor, require
from ..bpmn.bundle import build_bundle, check_files, startable
from ..bpmn.lint import NS, check_form
from ..bpmn.loader import load_bpmn
from ..bpmn.problems import Problem
from ..context import Context
from ..errors import BpmnInvalid, InvalidInput, NotFound
from ..models import DesignDraft, ProcessDefinition, ProcessVersion, User, utcnow
from ..roles import ADMIN, DESIGNER
from ..schemas import FORMATS, FormValidator
from . import deploy as deploy_service

MAX_FILES = 20
NEW_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="definitions_{pid}"
  targetNamespace="https://slaflow.go.th/bpmn">
  <bpmn:process id="{pid}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start_{pid}" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{pid}">
    <bpmndi:BPMNPlane id="plane_{pid}" bpmnElement="{pid}">
      <bpmndi:BPMNShape id="start_{pid}_di" bpmnElement="start_{pid}">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""




def _own_draft(s, actor: Actor, draft_id: int) -> DesignDraft:
    draft = s.get(DesignDraft, draft_id)
    if draft is None or (draft.owner_id != actor.user_id and not actor.has(ADMIN)):
        raise NotFound("draft not found")  # drafts are personal
    return draft


@dataclass(frozen=True)
class DraftView:
    id: int
    title: str
    files: dict
    forms: dict
    examples: dict
    base_version: int | None
    process_id: str
    updated_at: datetime
    import_notes: tuple = ()
    processes: tuple = ()  # executable processes no other process of the draft calls: what deploy may start


def list_drafts(ctx: Context, actor: Actor) -> list[DraftView]:
    require(actor, DESIGNER, what="edit process diagrams")
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(DesignDraft).where(DesignDraft.owner_id == actor.user_id)
                                   .order_by(DesignDraft.updated_at.desc()))
        return [_view(uow.session, d) for d in rows]


def _view(s, d: DesignDraft, whole: bool = False) -> DraftView:
    """The draft as shown; ``whole`` also reads which processes its files may start (a list of drafts
    does not need it)."""
    base = s.get(ProcessVersion, d.base_version_id) if d.base_version_id else None
    pid = s.get(ProcessDefinition, base.definition_id).process_id if base else ""
    return DraftView(d.id, d.title, dict(d.files), dict(d.forms), dict(d.examples or {}),
                     base.version if base else None, pid, d.updated_at, tuple(d.import_notes or ()),
                     tuple(_startable(d.files)) if whole else ())


def _startable(files: dict) -> list[tuple[str, str]]:
    trees = []
    for name, xml in files.items():
        try:
            trees.append(load_bpmn(xml, name))
        except BpmnInvalid:
            continue
    return startable(trees)


def get_draft(ctx: Context, actor: Actor, draft_id: int) -> DraftView:
    require(actor, DESIGNER, what="edit process diagrams")
    with ctx.uow(write=False) as uow:
        return _view(uow.session, _own_draft(uow.session, actor, draft_id), whole=True)


def _form_example(ctx: Context, ref: str) -> dict:
    path = (ctx.settings.forms_dir / ref)
    example = path.with_name(path.name.replace(".schema.json", ".example.json"))
    try:
        return json.loads(example.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def new_draft(ctx: Context, actor: Actor, title: str = "", version_id: int | None = None,
              files: dict[str, bytes] | None = None) -> int:
    """A draft from a deployed version, from uploaded files (hardened loading), or a new empty diagram."""
    require(actor, DESIGNER, what="edit process diagrams")
    with ctx.uow() as uow:
        s = uow.session
        forms, examples, base = {}, {}, None
        if version_id is not None:
            base = s.get(ProcessVersion, version_id)
            if base is None:
                raise NotFound("version not found")
            sources, forms = dict(base.sources), dict(base.forms)
            examples = {ref: _form_example(ctx, ref) for ref in forms}
            title = title or f"{base.definition.name} (v{base.version})"
        elif files:
            if len(files) > MAX_FILES:
                raise InvalidInput("too many files", field="files")
            sources = {}
            for name, data in files.items():
                tree = load_bpmn(data, name, ctx.settings.bpmn_max_bytes)  # BpmnInvalid on hostile input
                sources[safe_file_name(name)] = etree.tostring(tree, encoding="unicode")
            title = title or ", ".join(sorted(sources))
        else:
            pid = f"process_{utcnow():%Y%m%d%H%M%S}"
            sources = {f"{pid}.bpmn": NEW_DIAGRAM.format(pid=pid, name=title or "กระบวนงานใหม่")}
            title = title or "กระบวนงานใหม่"
        draft = DesignDraft(owner_id=actor.user_id, title=title[:255], files=sources, forms=forms,
                            examples=examples, base_version_id=base.id if base else None, created_at=utcnow(),
                            updated_at=utcnow())
        s.add(draft)
        uow.flush()
        audit.record(s, actor, "draft.create", after={"draft": draft.id, "files": sorted(sources)})
        uow.commit()
        return draft.id


def safe_file_name(name: str) -> str:
    base = "".join(ch for ch in name.replace("\\", "/").rsplit("/", 1)[-1] if ch.isalnum() or ch in "._-")
    base = base or "diagram.bpmn"
    return base if base.endswith(".bpmn") else base + ".bpmn"


def save_draft(ctx: Context, actor: Actor, draft_id: int, files: dict, forms: dict, examples: dict,
               title: str | None = None) -> datetime:
    """Store the designer's work as it is (even when it does not validate yet)."""
    require(actor, DESIGNER, what="edit process diagrams")
    if not isinstance(files, dict) or not files or len(files) > MAX_FILES:
        raise InvalidInput("a draft holds 1 to 20 diagrams", field="files")
    if not isinstance(forms, dict) or not isinstance(examples, dict):
        raise InvalidInput("forms must be an object", field="forms")
    for name, xml in files.items():
        if not isinstance(xml, str):
            raise InvalidInput("diagrams are XML text", field=name)
        load_bpmn(xml, name, ctx.settings.bpmn_max_bytes)  # never store what the loader refuses
    size = len(json.dumps(forms)) + len(json.dumps(examples))
    if size > 2_000_000:
        raise InvalidInput("the forms are too large", field="forms")
    with ctx.uow() as uow:
        draft = _own_draft(uow.session, actor, draft_id)
        draft.files = {safe_file_name(n): x for n, x in files.items()}
        draft.forms, draft.examples = forms, examples
        if title:
            draft.title = title.strip()[:255]
        draft.updated_at = utcnow()
        uow.commit()
        return draft.updated_at


def _lint_context(ctx: Context, forms: dict):
    lint = ctx.lint_context()
    lint.form_overrides = dict(forms)
    return lint


def validate_forms(forms: dict, examples: dict) -> list[Problem]:
    problems = []
    for ref, schema in forms.items():
        checked, error = check_form(schema)
        if error:
            problems.append(Problem.file("form_invalid", ref, form=ref, detail=error))
            continue
        if ref in examples:
            errors = list(FormValidator(checked, format_checker=FORMATS).iter_errors(examples[ref]))
            for err in errors[:10]:
                path = ".".join(str(p) for p in err.absolute_path) or "-"
                problems.append(Problem.file("form_example", ref, form=ref, detail=f"{path}: {err.message}"))
    return problems


def validate(ctx: Context, actor: Actor, draft_id: int) -> list[Problem]:
    """Every problem of the draft's diagrams (by element) and forms; empty when it can be deployed."""
    draft = get_draft(ctx, actor, draft_id)
    results = check_files(draft.files, _lint_context(ctx, draft.forms), ctx.settings.bpmn_max_bytes)
    problems = [p for ps in results.values() for p in ps] + validate_forms(draft.forms, draft.examples)
    if not any(p.severity == "error" for p in problems):
        # each process deploy may start (several pools: each on its own)
        for process_id in [pid for pid, _ in draft.processes] if len(draft.processes) > 1 else [None]:
            try:
                build_bundle(draft.files, _lint_context(ctx, draft.forms), ctx.settings.bpmn_max_bytes, process_id)
            except BpmnInvalid as exc:
                problems += [p for p in exc.problems if p not in problems]
    return problems


def deploy_draft(ctx: Context, actor: Actor, draft_id: int, note: str,
                 process_id: str | None = None) -> deploy_service.Deployed:
    """Deploy the draft; ``process_id`` chooses the process to start when the draft has several."""
    draft = get_draft(ctx, actor, draft_id)
    form_problems = [p for p in validate_forms(draft.forms, draft.examples) if p.severity == "error"]
    if form_problems:
        raise BpmnInvalid(form_problems)
    if not (note or "").strip():
        raise InvalidInput("say what changed in this version", field="note")
    result = deploy_service.deploy(ctx, {n: x.encode() for n, x in draft.files.items()}, actor, note.strip(),
                                   process_id or None, lint=_lint_context(ctx, draft.forms))
    with ctx.uow() as uow:
        row = _own_draft(uow.session, actor, draft_id)
        row.base_version_id = result.version_id
        uow.commit()
    return result


def available_forms(ctx: Context) -> list[str]:
    """Form references in the forms folder, for the designer's form picker."""
    base = ctx.settings.forms_dir
    return sorted(str(p.relative_to(base)) for p in base.glob("*/*.schema.json"))




# -- deployed versions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class VersionRow:
    id: int
    process_id: str
    name: str
    version: int
    deployed_at: datetime
    deployed_by: str
    note: str


def versions(ctx: Context, actor: Actor, process_id: str | None = None,
             version_id: int | None = None) -> list[VersionRow]:
    require(actor, DESIGNER, what="edit process diagrams")
    with ctx.uow(write=False) as uow:
        stmt = (select(ProcessVersion, ProcessDefinition, User.display_name)
                .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
                .outerjoin(User, User.id == ProcessVersion.deployed_by_id)
                .order_by(ProcessDefinition.process_id, ProcessVersion.version.desc()))
        if process_id:
            stmt = stmt.where(ProcessDefinition.process_id == process_id)
        if version_id is not None:
            stmt = stmt.where(ProcessVersion.id == version_id)
        return [VersionRow(v.id, d.process_id, d.name, v.version, v.deployed_at, who or "", v.note)
                for v, d, who in uow.session.execute(stmt)]


def version(ctx: Context, actor: Actor, version_id: int) -> VersionRow:
    rows = versions(ctx, actor, version_id=version_id)
    if not rows:
        raise NotFound("version not found")
    return rows[0]


def version_file(ctx: Context, actor: Actor, version_id: int, name: str) -> str:
    """The BPMN XML of one file of a deployed version."""
    require(actor, DESIGNER, what="download deployed diagrams")
    with ctx.uow(write=False) as uow:
        pv = uow.session.get(ProcessVersion, version_id)
        if pv is None or name not in pv.sources:
            raise NotFound("file not found")
        return pv.sources[name]


_SKIP = {"laneSet", "extensionElements", "timerEventDefinition", "conditionExpression", "timeDate",
         "timeDuration", "timeCycle", "script", "incoming", "outgoing", "flowNodeRef", "documentation",
         "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "loopCardinality",
         "completionCondition", "properties", "property"}


def _elements(sources: dict) -> dict[str, dict]:
    """Element id -> every property that decides what it does: its type, attributes (name, default flow,
    interrupting, called process ...), lane, documentation, timer (kind and expression), condition,
    script, form, instructions, pre/post scripts, handler and its parameters, loop."""
    out = {}
    for xml in sources.values():
        root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
        for process in root.iterfind(".//bpmn:process", NS):
            lane_of = {(ref.text or "").strip(): lane.get("name") or lane.get("id")
                       for lane in process.iterfind(".//bpmn:lane", NS)
                       for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
            for el in process.iter():
                if not isinstance(el.tag, str) or not el.get("id"):
                    continue
                tag = etree.QName(el).localname
                if tag in _SKIP:
                    continue
                out[el.get("id")] = _facts(el, tag, lane_of)
    return out


def _facts(el, tag: str, lane_of: dict[str, str]) -> dict:
    facts = {"type": tag, "name": el.get("name") or ""}
    for attr, value in el.attrib.items():
        key = etree.QName(attr).localname
        if key in ("sourceRef", "targetRef"):
            facts[key[:-3]] = value  # a flow's ends
        elif key not in ("id", "name"):
            facts[f"attr:{key}"] = value
    if el.get("id") in lane_of:
        facts["lane"] = lane_of[el.get("id")]
    doc = (el.findtext("bpmn:documentation", "", NS) or "").strip()
    if doc:
        facts["documentation"] = doc
    if tag == "sequenceFlow":
        facts["condition"] = (el.findtext("bpmn:conditionExpression", "", NS) or "").strip()
    timer = el.find(".//bpmn:timerEventDefinition", NS)
    if timer is not None:
        for part in timer:
            if isinstance(part.tag, str):
                facts[f"timer:{etree.QName(part).localname}"] = (part.text or "").strip()
    if tag == "scriptTask":
        facts["script"] = (el.findtext("bpmn:script", "", NS) or "").strip()
    ext = el.find("bpmn:extensionElements", NS)
    if ext is not None:
        for prop in ext.iterfind("spiffworkflow:properties/spiffworkflow:property", NS):
            facts["form" if prop.get("name") == "formJsonSchemaFilename" else f"property:{prop.get('name')}"] = \
                prop.get("value") or ""
        for name in ("instructionsForEndUser", "preScript", "postScript"):
            text = (ext.findtext(f"spiffworkflow:{name}", "", NS) or "").strip()
            if text:
                facts["instructions" if name == "instructionsForEndUser" else name] = text
        op = ext.find("spiffworkflow:serviceTaskOperator", NS)
        if op is not None:
            facts["handler"] = op.get("id")
            for param in op.iterfind(".//spiffworkflow:parameter", NS):
                facts[f"handler:{param.get('id')}"] = param.get("value") or ""
    loop = el.find("bpmn:multiInstanceLoopCharacteristics", NS)
    if loop is not None:
        facts["loop"] = " ".join(filter(None, ["sequential" if loop.get("isSequential") == "true" else "parallel",
                                                (loop.findtext("bpmn:loopCardinality", "", NS) or "").strip(),
                                                (loop.findtext("bpmn:completionCondition", "", NS) or "").strip()]))
    return facts


def diff(ctx: Context, actor: Actor, version_id: int, against_id: int | None = None) -> dict:
    """Elements added, removed and changed between a version and the one before it (or ``against_id``)."""
    require(actor, DESIGNER, what="edit process diagrams")
    with ctx.uow(write=False) as uow:
        s = uow.session
        new = s.get(ProcessVersion, version_id)
        if new is None:
            raise NotFound("version not found")
        old = s.get(ProcessVersion, against_id) if against_id else s.scalar(
            select(ProcessVersion).where(ProcessVersion.definition_id == new.definition_id,
                                         ProcessVersion.version == new.version - 1))
        a = _elements(old.sources) if old else {}
        b = _elements(new.sources)
        forms_changed = sorted(ref for ref in set(new.forms) | set(old.forms if old else {})
                               if (old.forms if old else {}).get(ref) != new.forms.get(ref))
    return {
        "from": old.version if old else None, "to": new.version,
        "added": sorted((i, b[i]["type"], b[i]["name"]) for i in set(b) - set(a)),
        "removed": sorted((i, a[i]["type"], a[i]["name"]) for i in set(a) - set(b)),
        # each changed property with its value before and after
        "changed": sorted((i, b[i]["type"], b[i]["name"], [(k, a[i].get(k, ""), b[i].get(k, ""))
                                                           for k in sorted(set(a[i]) | set(b[i]))
                                                           if a[i].get(k) != b[i].get(k)])
                          for i in set(a) & set(b) if a[i] != b[i]),
        "forms_changed": forms_changed,
    }


def file_order(files: dict) -> list[str]:
    """File names with the one holding the top-level process (called by no other) first."""
    called, holders = set(), {}
    for name, xml in files.items():
        try:
            root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        holders[name] = {p.get("id") for p in root.iterfind(".//bpmn:process", NS)}
        called |= {c.get("calledElement") for c in root.iterfind(".//bpmn:callActivity", NS)}
    return sorted(files, key=lambda n: (not (holders.get(n, set()) - called), n))
