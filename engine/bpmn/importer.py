"""Import of diagrams made for other engines and modelers (Camunda 7 and 8, Signavio, Yaoqiang, bpmn.io
...): what can be converted into a diagram slaflow runs is converted, and every change and everything
left for a person is listed by element.

- each process is made executable;
- plain, manual, automated (service, send, business-rule, receive, non-Python script) tasks become
  user tasks: slaflow has none of the other engines' Java classes, connectors or decision tables, so a
  person does the step and records it;
- who does a task (Camunda candidate groups, assignees, an existing lane) maps to slaflow's roles, as
  the importer is told or, for what it is not told, by a guess it lists; lanes named after the roles
  are added (with their picture) or existing lanes renamed;
- every user task gets a form stub: Camunda's generated form fields, the data objects it writes, the
  variables the next gateway's conditions read, and, where a gateway has no conditions, a choice of
  the way to go on;
- JUEL and FEEL conditions and timers are rewritten as Python where they are simple.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .. import roles
from . import foreign_expr
from .flow_graph import (
    FLOW_NODE_TAGS,
    ScopeIndex,
    element_label,
    flow_order,
    identifier,
    main_process,
    participant_name,
)
from .foreign_source import (
    ACTIVITI,
    AUTOMATED,
    CAMUNDA,
    FLOWABLE,
    FOREIGN,
    LANE_NAME,
    TASK_ROLES,
    XSI_TYPE,
    ZEEBE,
    form_key,
    guess_role,
    implementation,
    lane_of,
    performer,
    task_elements,
    zeebe_called,
)
from .import_forms import FormStubs
from .import_notes import Note
from .import_routing import Routing
from .lane_layout import add_lanes
from .lint import NS, B
from .loader import load_bpmn

__all__ = ["LANE_NAME", "TASK_ROLES", "Analysis", "Imported", "Note", "analyze", "convert", "guess_role"]

SPIFF = "{" + NS["spiffworkflow"] + "}"


@dataclass
class Analysis:
    processes: list[tuple[str, str]]          # (id, name)
    performers: dict[str, str]                # who does tasks in the source -> the role guessed


@dataclass
class Imported:
    xml: str
    forms: dict[str, dict]                    # form reference -> JSON Schema
    examples: dict[str, dict]                 # form reference -> valid example data
    notes: list[Note] = field(default_factory=list)
    main_process: str = ""

    @property
    def todo(self) -> list[Note]:
        return [n for n in self.notes if n.todo]


def analyze(data: bytes | str, filename: str = "", max_bytes: int = 2 * 1024 * 1024) -> Analysis:
    """Who does the tasks in a file, and the role each would get unless told otherwise."""
    root = load_bpmn(data, filename, max_bytes).getroot()
    performers: dict[str, str] = {}
    for process in root.iter(f"{B}process"):
        lanes = lane_of(process)
        for task in task_elements(process):
            source = performer(task, lanes)
            if source:
                performers.setdefault(source, guess_role(source))
    processes = [(p.get("id"), p.get("name") or participant_name(root, p.get("id")) or p.get("id"))
                 for p in root.iter(f"{B}process")]
    return Analysis(processes, performers)


def convert(data: bytes | str, filename: str = "", performers: dict[str, str] | None = None,
            default_role: str = roles.OFFICER, max_bytes: int = 2 * 1024 * 1024) -> Imported:
    """The file converted for slaflow. ``performers``: who does tasks in the source -> slaflow role."""
    if default_role not in TASK_ROLES:
        raise ValueError(f"unknown role {default_role}")
    told = {k: v for k, v in (performers or {}).items() if v in TASK_ROLES}
    tree = load_bpmn(data, filename, max_bytes)
    root = _with_spiff_namespace(tree.getroot())
    job = _Job(root, told, default_role)
    for process in list(root.iter(f"{B}process")):
        job.process(process)
    count = len(list(root.iter(f"{B}messageFlow")))
    if count:
        job.note("message_flows", None, count=count)
    xml = etree.tostring(root, encoding="unicode", pretty_print=True)
    main = main_process(root)
    return Imported(xml=xml, forms=job.stubs.forms, examples=job.stubs.examples, notes=job.notes,
                    main_process=main)


# -- the conversion ---------------------------------------------------------------------------------

class _Job(Routing):
    def __init__(self, root, told: dict[str, str], default_role: str):
        self.root, self.told, self.default_role = root, told, default_role
        self.stubs = FormStubs()
        self._indexes: dict[int, ScopeIndex] = {}  # id(scope) -> its index, while its structure stands
        self.notes: list[Note] = []
        self.roles_noted: set[str] = set()
        self.processes = {p.get("id") for p in root.iter(f"{B}process")}

    def _index_of(self, scope) -> ScopeIndex:
        if id(scope) not in self._indexes:
            self._indexes[id(scope)] = ScopeIndex(scope)
        return self._indexes[id(scope)]

    def note(self, code: str, el, todo: bool = False, **params) -> None:
        el_id = el.get("id", "") if el is not None else ""
        name = (el.get("name") or "").strip() if el is not None else ""
        self.notes.append(Note(code, el_id, name, todo, tuple(sorted((k, str(v)) for k, v in params.items()))))

    def process(self, process) -> None:
        if process.get("isExecutable") != "true":
            process.set("isExecutable", "true")
            self.note("executable", process, process=process.get("name") or process.get("id"))
        lanes = lane_of(process)
        role_of: dict[str, str] = {}
        for task in list(task_elements(process)):
            source = performer(task, lanes)
            role_of[task.get("id")] = self._role(source)
            self._make_user_task(task)
        for start in process.iter(f"{B}startEvent"):
            if form_key(start) or start.find(f".//{CAMUNDA}formField") is not None:
                self.note("start_form", start, todo=True, key=form_key(start) or "camunda:formData")
        for event in process.iter(f"{B}timerEventDefinition"):
            self._timer(event)
        for call in process.iter(f"{B}callActivity"):
            if not call.get("calledElement") and zeebe_called(call):
                call.set("calledElement", zeebe_called(call))
            called = call.get("calledElement")
            if called and called not in self.processes:
                self.note("call_missing", call, todo=True, called=called)
        for loop in process.iter(f"{B}multiInstanceLoopCharacteristics"):
            self._loop(loop)
        self._empty_subprocesses(process, role_of, lanes)
        self._data_objects(process)
        for flow in list(process.iter(f"{B}sequenceFlow")):
            self._condition(flow)
        self._split_activities(process)
        self._indexes.clear()  # the splits added gateways and flows
        for gateway in [*process.iter(f"{B}exclusiveGateway"), *process.iter(f"{B}inclusiveGateway")]:
            self._gateway(process, gateway)
        self._lanes(process, lanes, role_of)
        for task in process.iter(f"{B}userTask"):
            made = self.stubs.attach(process, task)
            if made:
                key = form_key(task)
                if key:
                    self.note("form_key", task, todo=True, key=key)
                self.note("form_stub", task, form=made[0], fields=", ".join(made[1]))
        self._extensions(process)

    # who does what
    def _role(self, source: str | None) -> str:
        if not source:
            return self.default_role
        role = self.told.get(source) or guess_role(source)
        if source not in self.roles_noted:
            self.roles_noted.add(source)
            guessed = source not in self.told and roles.role_for_lane(source) is None
            self.note("role_guessed" if guessed else "role", None, source=source, role=LANE_NAME[role], role_en=role)
        return role

    def _make_user_task(self, task) -> None:
        kind = etree.QName(task).localname
        if kind == "userTask":
            return
        if kind in AUTOMATED:
            impl = implementation(task)
            if kind == "scriptTask" and impl is None:
                return  # a Python script stays as it is
            self.note("automated", task, kind=kind, impl=impl or kind)
        else:
            self.note("to_user_task", task, kind=kind)
        task.tag = f"{B}userTask"
        for attr in list(task.attrib):  # other engines' attributes, and BPMN's that a user task may not have
            foreign = attr.startswith("{") and not attr.startswith(("{http://www.omg.org", "{http://www.w3.org"))
            if foreign or attr in _NOT_ON_USER_TASKS:
                del task.attrib[attr]
        for child in list(task):
            if etree.QName(child).localname in ("script",):
                task.remove(child)

    def _timer(self, definition) -> None:
        event = definition.getparent()
        if not any((el.text or "").strip() for el in definition if isinstance(el.tag, str)):
            self.note("timer_missing", event, todo=True, name=element_label(event))
            return
        for kind in ("timeDate", "timeDuration", "timeCycle"):
            el = definition.find(f"{B}{kind}")
            if el is None or not (el.text or "").strip():
                continue
            old = el.text.strip()
            if not foreign_expr.dialect(old) and not re.fullmatch(r"[0-9A-Za-z:+\-./]+", old):
                continue  # already Python (quoted text, a helper call)
            new = foreign_expr.timer_value(old)
            if new is None:
                self.note("timer_kept", event, todo=True, name=element_label(event), old=old)
            else:
                el.text = new
                el.attrib.pop(XSI_TYPE, None)
                self.note("timer", event, name=element_label(event), old=old, new=new)

    def _loop(self, loop) -> None:
        owner = loop.getparent()
        for attr in (f"{CAMUNDA}collection", f"{ACTIVITI}collection", f"{FLOWABLE}collection"):
            if loop.get(attr):
                self.note("loop_kept", owner, todo=True, name=element_label(owner), what=loop.get(attr))
                return
        if loop.find(f"{ZEEBE}loopCharacteristics") is not None or \
                loop.find(f"{B}extensionElements/{ZEEBE}loopCharacteristics") is not None:
            self.note("loop_kept", owner, todo=True, name=element_label(owner), what="zeebe:loopCharacteristics")
            return
        cardinality = loop.find(f"{B}loopCardinality")
        if cardinality is not None and foreign_expr.dialect(cardinality.text or ""):
            rewritten = foreign_expr.to_python(cardinality.text)
            if rewritten:
                cardinality.text = rewritten.python
            else:
                self.note("loop_kept", owner, todo=True, name=element_label(owner), what=cardinality.text.strip())

    def _data_objects(self, process) -> None:
        """Data objects get readable ids (the variable a form fills), and the tasks writing them a field."""
        objects = {o.get("id"): o for o in process.iter(f"{B}dataObject")}
        refs = {r.get("id"): r for r in process.iter(f"{B}dataObjectReference")}
        taken = {el.get("id") for el in self.root.iter() if isinstance(el.tag, str) and el.get("id")}
        renamed: dict[str, str] = {}
        for ref in refs.values():
            old = ref.get("dataObjectRef")
            if old in objects and old not in renamed and (ref.get("name") or "").strip():
                new = identifier(ref.get("name"), taken)
                taken.add(new)
                renamed[old] = new
                objects[old].set("id", new)
                objects[old].set("name", ref.get("name").strip())
        for ref in refs.values():
            if ref.get("dataObjectRef") in renamed:
                ref.set("dataObjectRef", renamed[ref.get("dataObjectRef")])
        for assoc in process.iter(f"{B}dataOutputAssociation"):
            task, target = assoc.getparent(), (assoc.findtext(f"{B}targetRef") or "").strip()
            ref = refs.get(target)
            if ref is None or etree.QName(task).localname != "userTask":
                continue
            name = ref.get("dataObjectRef")
            title = ref.get("name") or name
            self.stubs.add(task, name, {"type": "string", "title": title, "maxLength": 2000}, required=True)
            self.note("data_object", ref, name=title, field=name, task=element_label(task))

    def _empty_subprocesses(self, process, role_of: dict[str, str], lanes: dict[str, str]) -> None:
        for sub in list(process.iter(f"{B}subProcess")):
            if any(etree.QName(c).localname in FLOW_NODE_TAGS for c in sub if isinstance(c.tag, str)):
                continue
            if sub.get("triggeredByEvent") == "true":
                continue
            sub.tag = f"{B}userTask"
            for attr in ("triggeredByEvent",):
                sub.attrib.pop(attr, None)
            role_of[sub.get("id")] = self._role(performer(sub, lanes))
            self.note("empty_subprocess", sub, name=element_label(sub))

    def _lanes(self, process, lanes: dict[str, str], role_of: dict[str, str]) -> None:
        lane_els = [lane for lane in process.iter(f"{B}lane") if lane.find(f"{B}childLaneSet") is None]
        nested = [t for t in process.iter(f"{B}userTask") if t.getparent() is not process]
        if lane_els:
            lane_role = {}
            for lane in lane_els:
                old = (lane.get("name") or "").strip() or lane.get("id")
                role = self.told.get(old) or roles.role_for_lane(old) or guess_role(old)
                if role not in TASK_ROLES:
                    role = self.default_role
                lane_role[lane.get("id")] = role
                if roles.role_for_lane(old) != role:
                    lane.set("name", LANE_NAME[role])
                    self.note("lane_renamed", lane, old=old, new=LANE_NAME[role], new_en=role)
            member = {(r.text or "").strip(): lane for lane in lane_els for r in lane.findall(f"{B}flowNodeRef")}
            for task in nested:  # a task inside a sub-process: its role's lane, else its sub-process's lane
                if task.get("id") in member:
                    continue
                lane = next((ln for ln in lane_els if lane_role[ln.get("id")] == role_of.get(task.get("id"))), None)
                ancestor = task.getparent()
                while lane is None and ancestor is not None and ancestor is not process:
                    lane = member.get(ancestor.get("id"))
                    ancestor = ancestor.getparent()
                lane = lane if lane is not None else lane_els[0]
                etree.SubElement(lane, f"{B}flowNodeRef").text = task.get("id")
            return
        top = [el for el in process if isinstance(el.tag, str) and etree.QName(el).localname in FLOW_NODE_TAGS]
        if not any(etree.QName(el).localname == "userTask" for el in [*top, *nested]):
            return
        order = flow_order(process, top)
        lane_for: dict[str, str] = {}
        for el in order:
            if el.get("id") in role_of:
                lane_for[el.get("id")] = role_of[el.get("id")]
        for el in order:  # events and gateways join the lane of the task next to them
            if el.get("id") not in lane_for:
                lane_for[el.get("id")] = self._index_of(process).neighbour_role(el.get("id"), lane_for) \
                    or self.default_role
        for task in nested:
            lane_for[task.get("id")] = role_of.get(task.get("id"), self.default_role)
        members = order + nested
        used = list(dict.fromkeys(lane_for[el.get("id")] for el in members if el.get("id") in lane_for))
        spec = [(f"Lane_{process.get('id')}_{role}", LANE_NAME[role],
                 [el.get("id") for el in members if lane_for.get(el.get("id")) == role]) for role in used]
        add_lanes(self.root, process, spec)
        self.note("lanes_added", process, lanes=", ".join(LANE_NAME[r] for r in used), lanes_en=", ".join(used))

    def _extensions(self, process) -> None:
        found: dict[str, set[str]] = {}
        for el in process.iter():
            if not isinstance(el.tag, str):
                continue
            for ns, tool in FOREIGN.items():
                if el.tag.startswith(ns):
                    found.setdefault(tool, set()).add(etree.QName(el).localname)
                found.setdefault(tool, set()).update(etree.QName(a).localname for a in el.attrib if a.startswith(ns))
        for tool, what in sorted(found.items()):
            if what:
                self.note("extensions", process, tool=tool, what=", ".join(sorted(what)[:12]))


# -- helpers ----------------------------------------------------------------------------------------

#: attributes of service, send, receive, script and business-rule tasks that a user task cannot carry
_NOT_ON_USER_TASKS = {"implementation", "operationRef", "messageRef", "instantiate", "scriptFormat"}


def _with_spiff_namespace(root):
    """The document's root with the spiffworkflow prefix declared (lxml cannot add one in place)."""
    if NS["spiffworkflow"] in root.nsmap.values():
        return root
    nsmap = dict(root.nsmap)
    nsmap["spiffworkflow"] = NS["spiffworkflow"]
    new = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    new.text = root.text
    for child in list(root):
        new.append(child)
    return new
