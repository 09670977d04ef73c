"""What other engines and modelers write in a BPMN file, read for the import: their namespaces, who does
a task (lanes, Camunda candidate groups and assignees), what an automated task ran, form keys and
Camunda's generated form fields; and the slaflow role a performer's name suggests."""
from __future__ import annotations

from lxml import etree

from .. import roles
from .flow_graph import identifier
from .lint import B

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
PERSON_TASKS = {"task", "manualTask", "userTask"}
AUTOMATED = {"serviceTask", "sendTask", "businessRuleTask", "receiveTask", "scriptTask"}
_SUPERVISOR_WORDS = ("approv", "manager", "supervis", "review", "lead", "boss", "chief", "head of",
                     "ผู้บังคับบัญชา", "อนุมัติ", "หัวหน้า", "ผู้ตรวจ")
_HEAD_WORDS = ("director", "ceo", "อธิบดี", "ผู้อำนวยการ", "หัวหน้าส่วนราชการ")
_CENTRAL_WORDS = ("central", "ก.พ.ร.", "opdc")


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


def task_elements(process):
    for el in process.iter():
        if isinstance(el.tag, str) and el.tag.startswith(B) and \
                etree.QName(el).localname in PERSON_TASKS | AUTOMATED:
            yield el


def lane_of(process) -> dict[str, str]:
    out = {}
    for lane in process.iter(f"{B}lane"):
        if lane.find(f"{B}childLaneSet") is not None:
            continue
        for ref in lane.findall(f"{B}flowNodeRef"):
            out[(ref.text or "").strip()] = (lane.get("name") or "").strip() or lane.get("id")
    return out


def performer(task, lanes: dict[str, str]) -> str | None:
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


def implementation(task) -> str | None:
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


def zeebe_called(call) -> str | None:
    el = call.find(f"{B}extensionElements/{ZEEBE}calledElement")
    return el.get("processId") if el is not None else None


def form_key(task) -> str:
    for ns in (CAMUNDA, ACTIVITI, FLOWABLE):
        for attr in ("formKey", "formRef"):
            if task.get(f"{ns}{attr}"):
                return task.get(f"{ns}{attr}")
    zeebe = task.find(f"{B}extensionElements/{ZEEBE}formDefinition")
    if zeebe is not None:
        return zeebe.get("formKey") or zeebe.get("formId") or "zeebe:formDefinition"
    return ""


CAMUNDA_TYPES = {"string": {"type": "string", "maxLength": 2000}, "long": {"type": "integer"},
                  "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"}}


def camunda_fields(task) -> list[tuple[str, dict]]:
    out = []
    for ns in (CAMUNDA, ACTIVITI, FLOWABLE):
        for f in task.iter(f"{ns}formField", f"{ns}formProperty"):
            name = identifier(f.get("id") or "", set())
            if not name:
                continue
            kind = (f.get("type") or "string").strip()
            values = [(v.get("id"), v.get("name") or v.get("id")) for v in f.iter(f"{ns}value") if v.get("id")]
            if kind == "enum" and values:
                schema = {"type": "string", "enum": [v for v, _ in values], "x-enum-titles": [t for _, t in values]}
            else:
                schema = dict(CAMUNDA_TYPES.get(kind, {"type": "string", "maxLength": 2000}))
            schema["title"] = f.get("label") or f.get("name") or name
            required = f.get("required") == "true" or any(
                c.get("name") == "required" for c in f.iter(f"{ns}constraint"))
            if required:
                schema["x-required"] = True
            out.append((name, schema))
    return out
