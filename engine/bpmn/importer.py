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
from collections import deque
from dataclasses import dataclass, field

from lxml import etree

from .. import roles
from . import foreign_expr
from .lane_layout import add_lanes
from .lane_layout import draw_split as _draw_split
from .lint import NS, B
from .loader import load_bpmn

SPIFF = "{" + NS["spiffworkflow"] + "}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
ZEEBE = "{http://camunda.org/schema/zeebe/1.0}"
ACTIVITI = "{http://activiti.org/bpmn}"
FLOWABLE = "{http://flowable.org/bpmn}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
FOREIGN = {CAMUNDA: "Camunda 7", ZEEBE: "Camunda 8", ACTIVITI: "Activiti", FLOWABLE: "Flowable"}

#: the lane name each role gets (slaflow reads a lane's role from its name)
LANE_NAME = {roles.OFFICER: "เจ้าหน้าที่", roles.SUPERVISOR: "ผู้บังคับบัญชา", roles.HEAD: "หัวหน้าส่วนราชการ",
             roles.CENTRAL: "สำนักงาน ก.พ.ร.", roles.EVALUATOR: "กลุ่มพัฒนาระบบบริหาร"}
TASK_ROLES = tuple(LANE_NAME)
_PERSON_TASKS = {"task", "manualTask", "userTask"}
_AUTOMATED = {"serviceTask", "sendTask", "businessRuleTask", "receiveTask", "scriptTask"}
_SUPERVISOR_WORDS = ("approv", "manager", "supervis", "review", "lead", "boss", "chief", "head of",
                     "ผู้บังคับบัญชา", "อนุมัติ", "หัวหน้า", "ผู้ตรวจ")
_HEAD_WORDS = ("director", "ceo", "อธิบดี", "ผู้อำนวยการ", "หัวหน้าส่วนราชการ")
_CENTRAL_WORDS = ("central", "ก.พ.ร.", "opdc")

#: (Thai, English) of each note; params by name
MESSAGES = {
    "executable": ("ตั้งให้กระบวนการ {process} ทำงานได้ (isExecutable)", "process {process} marked executable"),
    "to_user_task": ("งาน {kind} กลายเป็นงานของบุคคล (userTask)", "the {kind} became a user task"),
    "automated": ("{kind} ใช้ {impl} ซึ่ง slaflow ไม่มี: กลายเป็นงานที่บุคคลทำเองแล้วบันทึกผล",
                  "the {kind} used {impl}, which slaflow does not have: a person now does it and records it"),
    "role": ("ผู้ทำงาน {source} → บทบาท {role}", "performer {source} → role {role_en}"),
    "role_guessed": ("ผู้ทำงาน {source} → บทบาท {role} (เดาจากชื่อ เลือกบทบาทอื่นได้)",
                     "performer {source} → role {role_en} (guessed from the name; choose another if wrong)"),
    "lane_renamed": ("ช่องทำงาน (lane) {old} → {new}", "lane {old} → {new} ({new_en})"),
    "lanes_added": ("เพิ่มช่องทำงาน (lane) {lanes} และจัดตำแหน่งในภาพให้อยู่ในช่องของตน",
                    "lanes {lanes} ({lanes_en}) added, and the elements placed in their lanes in the picture"),
    "form_stub": ("แบบฟอร์มเริ่มต้น {form}: {fields}", "form stub {form}: {fields}"),
    "form_key": ("แบบฟอร์มเดิม {key} อยู่นอกไฟล์ BPMN จึงอ่านไม่ได้: เพิ่มช่องข้อมูลในแบบฟอร์มเริ่มต้นเอง",
                 "the original form {key} is outside the BPMN file and cannot be read: add its fields to the stub"),
    "start_form": ("แบบฟอร์มตอนเริ่ม {key} ไม่ได้ใช้: slaflow เริ่มงานด้วยหน่วยงาน กระบวนงาน และปีงบประมาณ "
                   "ข้อมูลอื่นให้กรอกในงานแรก", "the start form {key} is not used: slaflow starts a workflow with "
                   "the agency, the service process and the fiscal year; ask for the rest in the first task"),
    "condition": ("เงื่อนไข {old} → {new}", "condition {old} → {new}"),
    "condition_kept": ("เงื่อนไข {old} เขียนใหม่อัตโนมัติไม่ได้: เขียนเป็นนิพจน์ Python เช่น decision == \"approve\"",
                       "condition {old} could not be rewritten: write it as a Python expression, e.g. "
                       "decision == \"approve\""),
    "condition_replaced": ("เงื่อนไข {old} ไม่ใช่นิพจน์ที่ประเมินได้ (Python, JUEL หรือ FEEL): ตัดออก "
                           "และให้งานก่อนหน้าถามทางที่จะไปแทน ตรวจสอบว่าตรงกับที่ตั้งใจ",
                           "condition {old} is not an expression slaflow can evaluate (Python, JUEL or FEEL): removed, "
                           "and the task before asks which way to go instead; check that this is what was meant"),
    "split": ("{name} มีทางออกหลายทาง: เพิ่มทางแยก {gateway} หลังงานนี้", "{name} had several outgoing flows: "
              "a {gateway} gateway was added after it"),
    "empty_subprocess": ("กระบวนการย่อย {name} ไม่มีขั้นตอนข้างใน: กลายเป็นงานของบุคคล",
                         "sub-process {name} had nothing inside: it became a user task"),
    "default_flow": ("ทางแยก {name}: ทางที่ไม่มีเงื่อนไข {flow} เป็นทางปกติ (default)",
                     "gateway {name}: the flow without a condition, {flow}, is the default"),
    "route": ("ทางแยก {name} ไม่มีเงื่อนไข: งาน {task} ถามว่าจะไปทางใด ({options})",
              "gateway {name} had no conditions: task {task} asks which way to go ({options})"),
    "route_no_task": ("ทางแยก {name} ไม่มีเงื่อนไขและไม่มีงานของบุคคลก่อนหน้า: เขียนเงื่อนไขเอง",
                      "gateway {name} has no conditions and no user task before it: write its conditions"),
    "timer": ("เวลาของ {name}: {old} → {new}", "timer {name}: {old} → {new}"),
    "timer_missing": ("เวลาของ {name} ไม่ได้ระบุ: ใส่นิพจน์ Python เช่น \"P7D\"",
                      "timer {name} has no time: write one in Python, e.g. \"P7D\""),
    "timer_kept": ("เวลาของ {name} ({old}) เขียนใหม่อัตโนมัติไม่ได้: เขียนเป็นนิพจน์ Python เช่น \"PT2H\"",
                   "timer {name} ({old}) could not be rewritten: write it as Python, e.g. \"PT2H\""),
    "data_object": ("ข้อมูล {name} (data object) เก็บจากช่อง {field} ของแบบฟอร์มงาน {task}",
                    "data object {name} is stored from field {field} of task {task}'s form"),
    "call_missing": ("เรียกกระบวนการ {called} ซึ่งไม่อยู่ในไฟล์นี้: นำเข้าหรือติดตั้งกระบวนการนั้นด้วย",
                     "calls process {called}, which is not in this file: import or deploy it too"),
    "message_flows": ("ลูกศรข้อความ (message flow) {count} เส้นระหว่างผู้เกี่ยวข้องเป็นภาพประกอบ ไม่ได้ส่งข้อมูลจริง",
                      "{count} message flows between participants are drawn only: they carry nothing at run time"),
    "loop_kept": ("การทำซ้ำ (multi-instance) ของ {name} ใช้ {what}: เขียนจำนวนหรือรายการเป็น Python เอง",
                  "the multi-instance loop of {name} uses {what}: write its count or collection in Python"),
    "extensions": ("ส่วนขยายของ {tool} ({what}) ไม่มีผลใน slaflow",
                   "{tool} extensions ({what}) have no effect in slaflow"),
}


@dataclass(frozen=True)
class Note:
    code: str
    element_id: str = ""
    element_name: str = ""
    todo: bool = False  # left for a person: not converted
    params: tuple = ()

    def message(self, lang: str = "th") -> str:
        th, en = MESSAGES[self.code]
        return (en if lang == "en" else th).format(**dict(self.params))

    def where(self) -> str:
        if self.element_name and self.element_id:
            return f"{self.element_name} ({self.element_id})"
        return self.element_id or self.element_name

    def to_dict(self, lang: str = "th") -> dict:
        return {"code": self.code, "element_id": self.element_id, "element_name": self.element_name,
                "todo": self.todo, "message": self.message(lang)}


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
        lanes = _lane_of(process)
        for task in _tasks(process):
            source = _performer(task, lanes)
            if source:
                performers.setdefault(source, guess_role(source))
    processes = [(p.get("id"), p.get("name") or _participant_name(root, p.get("id")) or p.get("id"))
                 for p in root.iter(f"{B}process")]
    return Analysis(processes, performers)


def guess_role(source: str) -> str:
    known = roles.role_for_lane(source)
    if known in TASK_ROLES:
        return known
    folded = source.casefold()
    for words, role in ((_HEAD_WORDS, roles.HEAD), (_CENTRAL_WORDS, roles.CENTRAL),
                        (_SUPERVISOR_WORDS, roles.SUPERVISOR)):
        if any(w in folded for w in words):
            return role
    return roles.OFFICER


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
    main = _main_process(root)
    return Imported(xml=xml, forms=job.forms, examples=job.examples, notes=job.notes, main_process=main)


# -- the conversion ---------------------------------------------------------------------------------

class _Job:
    def __init__(self, root, told: dict[str, str], default_role: str):
        self.root, self.told, self.default_role = root, told, default_role
        self.forms: dict[str, dict] = {}
        self.examples: dict[str, dict] = {}
        self.notes: list[Note] = []
        self.fields: dict[str, dict[str, dict]] = {}     # task id -> field name -> schema
        self.required: dict[str, list[str]] = {}
        self.roles_noted: set[str] = set()
        self.processes = {p.get("id") for p in root.iter(f"{B}process")}

    def note(self, code: str, el, todo: bool = False, **params) -> None:
        el_id = el.get("id", "") if el is not None else ""
        name = (el.get("name") or "").strip() if el is not None else ""
        self.notes.append(Note(code, el_id, name, todo, tuple(sorted((k, str(v)) for k, v in params.items()))))

    def process(self, process) -> None:
        if process.get("isExecutable") != "true":
            process.set("isExecutable", "true")
            self.note("executable", process, process=process.get("name") or process.get("id"))
        lanes = _lane_of(process)
        role_of: dict[str, str] = {}
        for task in list(_tasks(process)):
            source = _performer(task, lanes)
            role_of[task.get("id")] = self._role(source, task)
            self._make_user_task(task)
        for start in process.iter(f"{B}startEvent"):
            if _form_key(start) or start.find(f".//{CAMUNDA}formField") is not None:
                self.note("start_form", start, todo=True, key=_form_key(start) or "camunda:formData")
        for event in process.iter(f"{B}timerEventDefinition"):
            self._timer(event)
        for call in process.iter(f"{B}callActivity"):
            if not call.get("calledElement") and _zeebe_called(call):
                call.set("calledElement", _zeebe_called(call))
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
        for gateway in [*process.iter(f"{B}exclusiveGateway"), *process.iter(f"{B}inclusiveGateway")]:
            self._gateway(process, gateway)
        self._lanes(process, lanes, role_of)
        for task in process.iter(f"{B}userTask"):
            self._form(process, task)
        self._extensions(process)

    # who does what
    def _role(self, source: str | None, task) -> str:
        if not source:
            return self.default_role
        role = self.told.get(source)
        if role is None:
            role = guess_role(source) if source else self.default_role
        if source not in self.roles_noted:
            self.roles_noted.add(source)
            guessed = source not in self.told and roles.role_for_lane(source) is None
            self.note("role_guessed" if guessed else "role", None, source=source, role=LANE_NAME[role], role_en=role)
        return role

    def _make_user_task(self, task) -> None:
        kind = etree.QName(task).localname
        if kind == "userTask":
            return
        if kind in _AUTOMATED:
            impl = _implementation(task)
            if kind == "scriptTask" and impl is None:
                return  # a Python script stays as it is
            self.note("automated", task, kind=kind, impl=impl or kind)
        else:
            self.note("to_user_task", task, kind=kind)
        task.tag = f"{B}userTask"
        for attr in list(task.attrib):
            if attr not in ("id", "name") and not attr.startswith(("{http://www.omg.org", "{http://www.w3.org")):
                del task.attrib[attr]
        for child in list(task):
            if etree.QName(child).localname in ("script",):
                task.remove(child)

    def _timer(self, definition) -> None:
        event = definition.getparent()
        if not any((el.text or "").strip() for el in definition if isinstance(el.tag, str)):
            self.note("timer_missing", event, todo=True, name=_label(event))
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
                self.note("timer_kept", event, todo=True, name=_label(event), old=old)
            else:
                el.text = new
                el.attrib.pop(XSI_TYPE, None)
                self.note("timer", event, name=_label(event), old=old, new=new)

    def _loop(self, loop) -> None:
        owner = loop.getparent()
        for attr in (f"{CAMUNDA}collection", f"{ACTIVITI}collection", f"{FLOWABLE}collection"):
            if loop.get(attr):
                self.note("loop_kept", owner, todo=True, name=_label(owner), what=loop.get(attr))
                return
        if loop.find(f"{ZEEBE}loopCharacteristics") is not None or \
                loop.find(f"{B}extensionElements/{ZEEBE}loopCharacteristics") is not None:
            self.note("loop_kept", owner, todo=True, name=_label(owner), what="zeebe:loopCharacteristics")
            return
        cardinality = loop.find(f"{B}loopCardinality")
        if cardinality is not None and foreign_expr.dialect(cardinality.text or ""):
            rewritten = foreign_expr.to_python(cardinality.text)
            if rewritten:
                cardinality.text = rewritten.python
            else:
                self.note("loop_kept", owner, todo=True, name=_label(owner), what=cardinality.text.strip())

    def _data_objects(self, process) -> None:
        """Data objects get readable ids (the variable a form fills), and the tasks writing them a field."""
        objects = {o.get("id"): o for o in process.iter(f"{B}dataObject")}
        refs = {r.get("id"): r for r in process.iter(f"{B}dataObjectReference")}
        taken = {el.get("id") for el in self.root.iter() if isinstance(el.tag, str) and el.get("id")}
        renamed: dict[str, str] = {}
        for ref in refs.values():
            old = ref.get("dataObjectRef")
            if old in objects and old not in renamed and (ref.get("name") or "").strip():
                new = _identifier(ref.get("name"), taken)
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
            self._field(task, name, {"type": "string", "title": title, "maxLength": 2000}, required=True)
            self.note("data_object", ref, name=title, field=name, task=_label(task))

    def _gateway(self, process, gateway) -> None:
        gid = gateway.get("id")
        scope = gateway.getparent()
        outgoing = [f for f in scope.findall(f"{B}sequenceFlow") if f.get("sourceRef") == gid]
        if len(outgoing) < 2:
            return
        default = gateway.get("default")
        bare = [f for f in outgoing if f.get("id") != default and f.find(f"{B}conditionExpression") is None]
        if not bare:
            return
        if len(bare) == 1 and len(outgoing) > 1 and not default and len(bare) < len(outgoing):
            gateway.set("default", bare[0].get("id"))
            self.note("default_flow", gateway, name=_label(gateway), flow=_flow_label(scope, bare[0]))
            return
        decider = _user_task_before(scope, gateway)
        if decider is None:
            self.note("route_no_task", gateway, todo=True, name=_label(gateway))
            return
        field_name = _identifier(f"route_{gid}", set(self.fields.get(decider.get("id"), {})))
        options = []
        for flow in outgoing:
            if flow.get("id") == default and flow.find(f"{B}conditionExpression") is None:
                continue
            label = _flow_label(scope, flow)
            while label in options:
                label += " (2)"
            options.append(label)
            if flow in bare:
                cond = etree.SubElement(flow, f"{B}conditionExpression")
                cond.text = (f"{label!r} in {field_name}" if etree.QName(gateway).localname == "inclusiveGateway"
                             else f"{field_name} == {label!r}")
        inclusive = etree.QName(gateway).localname == "inclusiveGateway"
        title = (gateway.get("name") or "").strip() or ("ทางที่ไปต่อ" if not inclusive else "ทางที่ไปต่อ (เลือกได้หลายทาง)")
        schema = ({"type": "array", "title": title, "items": {"type": "string", "enum": options}, "minItems": 1,
                   "uniqueItems": True} if inclusive else {"type": "string", "title": title, "enum": options})
        self._field(decider, field_name, schema, required=True)
        self.note("route", gateway, name=_label(gateway), task=_label(decider), options=", ".join(options))

    def _condition(self, flow) -> None:
        cond = flow.find(f"{B}conditionExpression")
        if cond is None:
            return
        old = (cond.text or "").strip()
        if not old:
            flow.remove(cond)  # an empty condition is no condition: the gateway's rules apply
            return
        if old in _XPATH_BOOLEANS:
            cond.text = _XPATH_BOOLEANS[old]
            cond.attrib.pop("language", None)
            self.note("condition", flow, old=old, new=cond.text)
            return
        if foreign_expr.dialect(old) is None:
            if _is_python(old):
                return
            flow.remove(cond)  # a label or XPath, not a condition slaflow can evaluate
            self.note("condition_replaced", flow, todo=True, old=old.replace("\n", " "))
            return
        rewritten = foreign_expr.to_python(old)
        if rewritten is None:
            self.note("condition_kept", flow, todo=True, old=old)
            return
        cond.text = rewritten.python
        cond.attrib.pop("language", None)
        self.note("condition", flow, old=old, new=rewritten.python)
        scope = flow.getparent()
        source = next((e for e in scope if e.get("id") == flow.get("sourceRef")), None)
        decider = source if source is not None and etree.QName(source).localname == "userTask" else \
            _user_task_before(scope, source) if source is not None else None
        if decider is None:
            return
        for name, kind in rewritten.variables.items():
            if name in self.fields.get(decider.get("id"), {}):
                continue
            if kind == "string" and rewritten.strings.get(name):
                schema = {"type": "string", "title": name, "enum": rewritten.strings[name]}
            elif kind == "number":
                schema = {"type": "number", "title": name}
            elif kind == "boolean":
                schema = {"type": "boolean", "title": name}
            else:
                schema = {"type": "string", "title": name}
            self._field(decider, name, schema, required=True)

    def _split_activities(self, process) -> None:
        """An activity with several outgoing flows (an implicit split) gets a gateway after it: inclusive
        when the flows have conditions, parallel when they have none (what BPMN means by them)."""
        for scope in [process, *process.iter(f"{B}subProcess", f"{B}transaction", f"{B}adHocSubProcess")]:
            flows = scope.findall(f"{B}sequenceFlow")
            for node in list(scope):
                kind = etree.QName(node).localname if isinstance(node.tag, str) else ""
                if kind not in _ACTIVITIES:
                    continue
                outgoing = [f for f in flows if f.get("sourceRef") == node.get("id")]
                if len(outgoing) < 2:
                    continue
                conditional = any(f.find(f"{B}conditionExpression") is not None for f in outgoing)
                gateway_kind = "inclusiveGateway" if conditional else "parallelGateway"
                gid = f"{node.get('id')}_split"
                gateway = etree.Element(f"{B}{gateway_kind}", id=gid)
                scope.insert(list(scope).index(node) + 1, gateway)
                link = etree.Element(f"{B}sequenceFlow", id=f"{gid}_in", sourceRef=node.get("id"), targetRef=gid)
                scope.insert(list(scope).index(gateway) + 1, link)
                for f in outgoing:
                    f.set("sourceRef", gid)
                if node.get("default"):
                    gateway.set("default", node.attrib.pop("default"))
                for out in node.findall(f"{B}outgoing"):
                    node.remove(out)
                _draw_split(self.root, node, gateway, link, outgoing)
                self.note("split", node, name=_label(node), gateway="inclusive" if conditional else "parallel")

    def _empty_subprocesses(self, process, role_of: dict[str, str], lanes: dict[str, str]) -> None:
        for sub in list(process.iter(f"{B}subProcess")):
            if any(etree.QName(c).localname in _FLOW_NODE_TAGS for c in sub if isinstance(c.tag, str)):
                continue
            if sub.get("triggeredByEvent") == "true":
                continue
            sub.tag = f"{B}userTask"
            for attr in ("triggeredByEvent",):
                sub.attrib.pop(attr, None)
            role_of[sub.get("id")] = self._role(_performer(sub, lanes), sub)
            self.note("empty_subprocess", sub, name=_label(sub))

    def _field(self, task, name: str, schema: dict, required: bool = False) -> None:
        fields = self.fields.setdefault(task.get("id"), {})
        if name in fields:
            merged = fields[name]
            if "enum" in schema and "enum" in merged:
                merged["enum"] += [v for v in schema["enum"] if v not in merged["enum"]]
            return
        fields[name] = schema
        if required:
            self.required.setdefault(task.get("id"), []).append(name)

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
        top = [el for el in process if isinstance(el.tag, str) and etree.QName(el).localname in _FLOW_NODE_TAGS]
        if not any(etree.QName(el).localname == "userTask" for el in [*top, *nested]):
            return
        order = _flow_order(process, top)
        lane_for: dict[str, str] = {}
        for el in order:
            if el.get("id") in role_of:
                lane_for[el.get("id")] = role_of[el.get("id")]
        by_id = {el.get("id"): el for el in top}
        for el in order:  # events and gateways join the lane of the task next to them
            if el.get("id") not in lane_for:
                lane_for[el.get("id")] = _neighbour_role(process, el.get("id"), lane_for, by_id) or self.default_role
        for task in nested:
            lane_for[task.get("id")] = role_of.get(task.get("id"), self.default_role)
        members = order + nested
        used = list(dict.fromkeys(lane_for[el.get("id")] for el in members if el.get("id") in lane_for))
        spec = [(f"Lane_{process.get('id')}_{role}", LANE_NAME[role],
                 [el.get("id") for el in members if lane_for.get(el.get("id")) == role]) for role in used]
        add_lanes(self.root, process, spec)
        self.note("lanes_added", process, lanes=", ".join(LANE_NAME[r] for r in used), lanes_en=", ".join(used))

    def _form(self, process, task) -> None:
        if _form_ref(task):
            return
        ref = f"imported/{_identifier(process.get('id'), set())}/{_identifier(task.get('id'), set())}.schema.json"
        props = dict(_camunda_fields(task))
        for name, schema in self.fields.get(task.get("id"), {}).items():
            props.setdefault(name, schema)
        required = [n for n in self.required.get(task.get("id"), []) if n in props]
        required += [n for n, s in _camunda_fields(task) if s.pop("x-required", False) and n not in required]
        for schema in props.values():
            schema.pop("x-required", None)
        props.setdefault("note", {"type": "string", "title": "บันทึกการปฏิบัติงาน", "maxLength": 10000,
                                  "x-widget": "textarea"})
        documentation = (task.findtext(f"{B}documentation") or "").strip()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": _label(task),
                  "type": "object", "properties": props, "additionalProperties": False}
        if required:
            schema["required"] = required
        if documentation:
            schema["description"] = documentation[:2000]
        self.forms[ref] = schema
        self.examples[ref] = {name: _example(s) for name, s in props.items() if name in required}
        ext = task.find(f"{B}extensionElements")
        if ext is None:
            ext = etree.Element(f"{B}extensionElements")
            task.insert(1 if task.find(f"{B}documentation") is not None else 0, ext)
        properties = etree.SubElement(ext, f"{SPIFF}properties")
        etree.SubElement(properties, f"{SPIFF}property", name="formJsonSchemaFilename", value=ref)
        if documentation:
            etree.SubElement(ext, f"{SPIFF}instructionsForEndUser").text = documentation
        key = _form_key(task)
        if key:
            self.note("form_key", task, todo=True, key=key)
        self.note("form_stub", task, form=ref, fields=", ".join(props))

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

_ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
               "businessRuleTask", "subProcess", "transaction", "adHocSubProcess", "callActivity"}
_FLOW_NODE_TAGS = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "businessRuleTask",
    "subProcess", "transaction", "adHocSubProcess", "callActivity", "startEvent", "endEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "exclusiveGateway", "inclusiveGateway",
    "parallelGateway", "eventBasedGateway", "complexGateway", "boundaryEvent",
}


_XPATH_BOOLEANS = {"true": "True", "false": "False", "true()": "True", "false()": "False"}


def _is_python(text: str) -> bool:
    import ast

    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


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


def _tasks(process):
    for el in process.iter():
        if isinstance(el.tag, str) and el.tag.startswith(B) and \
                etree.QName(el).localname in _PERSON_TASKS | _AUTOMATED:
            yield el


def _lane_of(process) -> dict[str, str]:
    out = {}
    for lane in process.iter(f"{B}lane"):
        if lane.find(f"{B}childLaneSet") is not None:
            continue
        for ref in lane.findall(f"{B}flowNodeRef"):
            out[(ref.text or "").strip()] = (lane.get("name") or "").strip() or lane.get("id")
    return out


def _performer(task, lanes: dict[str, str]) -> str | None:
    """Who does the task in the source: its lane, else Camunda's candidate groups or assignee."""
    node = task
    while node is not None and node.get("id") not in lanes:
        node = node.getparent()
        if node is not None and etree.QName(node).localname == "process":
            node = None
    if node is not None:
        return lanes[node.get("id")]
    for ns in (CAMUNDA, ACTIVITI, FLOWABLE):
        for attr in ("candidateGroups", "candidateUsers", "assignee"):
            value = (task.get(f"{ns}{attr}") or "").strip()
            if value:
                return value.split(",")[0].strip()
    assignment = task.find(f"{B}extensionElements/{ZEEBE}assignmentDefinition")
    if assignment is not None:
        for attr in ("candidateGroups", "candidateUsers", "assignee"):
            value = (assignment.get(attr) or "").strip().lstrip("=").strip()
            if value:
                return value.strip('"[]').split(",")[0].strip().strip('"')
    return None


def _implementation(task) -> str | None:
    kind = etree.QName(task).localname
    if kind == "scriptTask":
        fmt = (task.get("scriptFormat") or "python").strip().lower()
        return None if fmt in ("python", "") else f"{fmt} script"
    for ns in (CAMUNDA, ACTIVITI, FLOWABLE):
        for attr in ("class", "delegateExpression", "expression", "decisionRef", "topic", "type"):
            if task.get(f"{ns}{attr}"):
                return f"{attr} {task.get(f'{ns}{attr}')}"
    definition = task.find(f"{B}extensionElements/{ZEEBE}taskDefinition")
    if definition is not None and definition.get("type"):
        return f"job type {definition.get('type')}"
    decision = task.find(f"{B}extensionElements/{ZEEBE}calledDecision")
    if decision is not None:
        return f"decision {decision.get('decisionId')}"
    if task.get("implementation") and not task.get("implementation").startswith("##"):
        return task.get("implementation")
    return None


def _zeebe_called(call) -> str | None:
    el = call.find(f"{B}extensionElements/{ZEEBE}calledElement")
    return el.get("processId") if el is not None else None


def _form_ref(task) -> str:
    for prop in task.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        if prop.get("name") == "formJsonSchemaFilename":
            return prop.get("value") or ""
    return ""


def _form_key(task) -> str:
    for ns in (CAMUNDA, ACTIVITI, FLOWABLE):
        for attr in ("formKey", "formRef"):
            if task.get(f"{ns}{attr}"):
                return task.get(f"{ns}{attr}")
    zeebe = task.find(f"{B}extensionElements/{ZEEBE}formDefinition")
    if zeebe is not None:
        return zeebe.get("formKey") or zeebe.get("formId") or "zeebe:formDefinition"
    return ""


_CAMUNDA_TYPES = {"string": {"type": "string", "maxLength": 2000}, "long": {"type": "integer"},
                  "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"}}


def _camunda_fields(task) -> list[tuple[str, dict]]:
    out = []
    for ns in (CAMUNDA, ACTIVITI, FLOWABLE):
        for f in task.iter(f"{ns}formField", f"{ns}formProperty"):
            name = _identifier(f.get("id") or "", set())
            if not name:
                continue
            kind = (f.get("type") or "string").strip()
            values = [(v.get("id"), v.get("name") or v.get("id")) for v in f.iter(f"{ns}value") if v.get("id")]
            if kind == "enum" and values:
                schema = {"type": "string", "enum": [v for v, _ in values], "x-enum-titles": [t for _, t in values]}
            else:
                schema = dict(_CAMUNDA_TYPES.get(kind, {"type": "string", "maxLength": 2000}))
            schema["title"] = f.get("label") or f.get("name") or name
            required = f.get("required") == "true" or any(
                c.get("name") == "required" for c in f.iter(f"{ns}constraint"))
            if required:
                schema["x-required"] = True
            out.append((name, schema))
    return out


def _example(schema: dict):
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [_example(schema.get("items", {}))]
    if kind == "boolean":
        return True
    if kind in ("number", "integer"):
        return 1
    if schema.get("format") == "date":
        return "2026-12-01"
    return "ตัวอย่าง"


def _identifier(text: str, taken: set[str]) -> str:
    """A Python and XML-friendly name from ``text`` (ASCII letters, digits, _), unique in ``taken``."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", text or "").strip("_") or "field"
    if name[0].isdigit():
        name = f"f_{name}"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def _label(el) -> str:
    return (el.get("name") or "").strip().replace("\n", " ") or el.get("id", "")


def _flow_label(scope, flow) -> str:
    name = (flow.get("name") or "").strip().replace("\n", " ")
    if name:
        return name
    target = next((e for e in scope if e.get("id") == flow.get("targetRef")), None)
    return _label(target) if target is not None else flow.get("id")


def _user_task_before(scope, node):
    """The nearest user task before ``node``, walking back through gateways and events."""
    flows = [f for f in scope.findall(f"{B}sequenceFlow")]
    by_id = {e.get("id"): e for e in scope if isinstance(e.tag, str)}
    seen, queue = set(), deque([node.get("id")])
    while queue:
        current = queue.popleft()
        for flow in flows:
            if flow.get("targetRef") != current or flow.get("sourceRef") in seen:
                continue
            source = by_id.get(flow.get("sourceRef"))
            seen.add(flow.get("sourceRef"))
            if source is None:
                continue
            if etree.QName(source).localname == "userTask":
                return source
            queue.append(source.get("id"))
    return None


def _flow_order(process, nodes) -> list:
    """The process's own flow nodes in the order the flow reaches them (then the rest, by position)."""
    by_id = {el.get("id"): el for el in nodes}
    nxt: dict[str, list[str]] = {}
    for flow in process.findall(f"{B}sequenceFlow"):
        nxt.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for event in process.findall(f"{B}boundaryEvent"):
        nxt.setdefault(event.get("attachedToRef"), []).append(event.get("id"))
    starts = [el.get("id") for el in nodes if etree.QName(el).localname == "startEvent"]
    order, seen, queue = [], set(), deque(starts)
    while queue:
        current = queue.popleft()
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        order.append(by_id[current])
        queue.extend(nxt.get(current, []))
    return order + [el for el in nodes if el.get("id") not in seen]


def _neighbour_role(process, node_id: str, lane_for: dict[str, str], by_id) -> str | None:
    flows = process.findall(f"{B}sequenceFlow")
    for flow in flows:  # the task after it first (a start event joins whoever does the first task)
        if flow.get("sourceRef") == node_id and flow.get("targetRef") in lane_for:
            return lane_for[flow.get("targetRef")]
    for flow in flows:
        if flow.get("targetRef") == node_id and flow.get("sourceRef") in lane_for:
            return lane_for[flow.get("sourceRef")]
    el = by_id.get(node_id)
    if el is not None and el.get("attachedToRef") in lane_for:
        return lane_for[el.get("attachedToRef")]
    return None


def _participant_name(root, process_id: str) -> str:
    for participant in root.iter(f"{B}participant"):
        if participant.get("processRef") == process_id:
            return (participant.get("name") or "").strip()
    return ""


def _main_process(root) -> str:
    """The process people start: not called by another one of the file, first with a start event."""
    called = {c.get("calledElement") for c in root.iter(f"{B}callActivity")}
    for process in root.iter(f"{B}process"):
        if process.get("id") not in called and process.find(f"{B}startEvent") is not None:
            return process.get("id")
    first = next(root.iter(f"{B}process"), None)
    return first.get("id") if first is not None else ""
