"""Lint of BPMN documents: XML Schema validation plus the checks slaflow needs to run a diagram.

Every problem names its element (id and name) and renders in Thai or English.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator, SchemaError
from lxml import etree

from .. import roles
from ..runtime import SUPPORTED_TAGS, RestrictedEnvironment, bpmn_schema, check_timer_text
from ..sandbox import check_script
from ..schemas import unusable_patterns
from . import foreign_expr
from .problems import Problem

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
B = "{" + NS["bpmn"] + "}"

FLOW_NODES = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "subProcess", "transaction", "adHocSubProcess", "callActivity",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
}
SUPPORTED = SUPPORTED_TAGS
SCOPES = {"process", "subProcess", "transaction", "adHocSubProcess"}
_ISO_LIKE = re.compile(r"^\s*(R\d*/)?P[\dTYMWDHS.,]+|^\s*\d{4}-\d{2}-\d{2}")
_XSD_LOCK = threading.Lock()  # lxml XMLSchema objects keep their error log on themselves
MAX_SCHEMA_ERRORS = 20


#: the data every instance starts with (engine.services.instances.start): timer expressions may use it
START_DATA_SAMPLE = {"agency_id": 1, "agency_name": "หน่วยงานตัวอย่าง", "service_process": "งานบริการตัวอย่าง",
                     "fiscal_year": 2569, "revision_cap": 5}


def sample_start_data() -> dict:
    """What an instance may start with: the engine's data and what the processes' profiles add."""
    from .. import profiles

    data = dict(START_DATA_SAMPLE)
    for profile in profiles.all_profiles():
        if profile.start_data is not None:
            data.update({k: v for k, v in profile.start_data(0).items() if k not in data})
    return data


@dataclass
class LintContext:
    forms_dir: Path | None = None
    handler_names: Iterable[str] = ()
    timer_helpers: dict[str, Callable] = field(default_factory=dict)
    forms: dict[str, dict] = field(default_factory=dict)  # filled with every form the documents use
    form_overrides: dict[str, dict] = field(default_factory=dict)  # a draft's forms, before forms/
    sample_data: dict = field(default_factory=lambda: sample_start_data())


def _name(el) -> str:
    return el.get("name") or ""


def _local(el) -> str:
    """The element's BPMN type, or "" for anything outside the BPMN namespace (a modeler's extension such
    as Camunda 8's ``<zeebe:userTask/>`` is not a user task)."""
    if not isinstance(el.tag, str):
        return ""
    name = etree.QName(el)
    return name.localname if name.namespace == NS["bpmn"] else ""


def _problem(code: str, el=None, filename: str = "", severity: str = "error", **params) -> Problem:
    return Problem(
        code=code,
        severity=severity,
        element_id=(el.get("id") or "") if el is not None else "",
        element_name=_name(el) if el is not None else "",
        filename=filename,
        line=el.sourceline if el is not None else None,
        params=params,
    )


def schema_problems(tree, filename: str) -> list[Problem]:
    with _XSD_LOCK:
        schema = bpmn_schema()
        if schema.validate(tree):
            return []
        errors = list(schema.error_log)[:MAX_SCHEMA_ERRORS]
    return [
        Problem(code="schema", filename=filename, line=e.line, params={"line": e.line, "detail": e.message})
        for e in errors
    ]


def lint_document(tree, filename: str, ctx: LintContext, known_processes: set[str] | None = None) -> list[Problem]:
    """All problems of one document; ``known_processes`` are the process ids of the whole bundle."""
    problems = schema_problems(tree, filename)
    root = tree.getroot()
    processes = root.findall(f"{B}process")
    if not processes:
        return problems + [Problem.file("no_process", filename)]
    known = known_processes if known_processes is not None else {p.get("id") for p in processes}
    for process in processes:
        if process.get("isExecutable") != "true":
            problems.append(_problem("not_executable", process, filename))
        problems += _lint_process(process, filename, ctx, known)  # every other problem too, all at once
    return problems


def _lint_process(process, filename: str, ctx: LintContext, known: set[str]) -> list[Problem]:
    out: list[Problem] = []
    lane_of = _lanes(process, filename, out)
    if not process.findall(f"{B}startEvent"):
        out.append(_problem("no_start", process, filename))
    elif not any(_local(c) in FLOW_NODES - {"startEvent", "endEvent"} for c in process):
        out.append(_problem("nothing_to_do", process, filename))
    ids = {e.get("id") for e in process.iter() if e.get("id")}
    for flow in process.iter(f"{B}sequenceFlow"):
        for end in ("sourceRef", "targetRef"):
            if flow.get(end) not in ids:
                out.append(_problem("flow_dangling", flow, filename, end=end, ref=flow.get(end) or "-"))
    for el in process.iter():
        tag = _local(el)
        if tag in FLOW_NODES and tag not in SUPPORTED:
            out.append(_problem("unsupported", el, filename, tag=tag))
        elif tag == "userTask":
            out += _lint_user_task(el, filename, ctx, lane_of)
        elif tag in ("task", "manualTask") and el.get("id") not in lane_of:
            # the engine would make it a person's task anyway, of the officers: say so
            out.append(_problem("plain_task_no_lane", el, filename, severity="warning"))
        elif tag == "serviceTask":
            out += _lint_service_task(el, filename, ctx)
        elif tag == "timerEventDefinition":
            out += _lint_timer(el, filename, ctx)
        elif tag == "callActivity":
            called = el.get("calledElement")
            if called and called not in known:
                out.append(_problem("missing_called", el, filename, called=called))
        elif tag in ("exclusiveGateway", "inclusiveGateway"):
            out += _lint_gateway(el, process, filename)
        out += _lint_scripts(el, tag, filename)
    for scope in [process] + [e for e in process.iter() if _local(e) in SCOPES and e is not process]:
        out += _unreachable(scope, filename)
    out += _lint_data_objects(process, filename)
    return out


def _lint_data_objects(process, filename: str) -> list[Problem]:
    """Data objects: every reference names a data object of the process, and what a task reads some
    element writes (else the first run stops there, after deploy had accepted the diagram)."""
    out: list[Problem] = []
    objects = {e.get("id") for e in process.iter(f"{B}dataObject")}
    refs = {}
    for ref in process.iter(f"{B}dataObjectReference"):
        refs[ref.get("id")] = ref.get("dataObjectRef")
        if ref.get("dataObjectRef") not in objects:
            out.append(_problem("data_object_missing", ref, filename, ref=ref.get("dataObjectRef") or "-"))
    written = {(a.findtext(f"{B}targetRef") or "").strip() for a in process.iter(f"{B}dataOutputAssociation")}
    written_objects = {refs.get(r, r) for r in written}
    for assoc in process.iter(f"{B}dataInputAssociation"):
        for source in assoc.findall(f"{B}sourceRef"):
            name = (source.text or "").strip()
            data_object = refs.get(name, name)
            if name in refs and data_object not in written_objects:
                reader = assoc.getparent()
                out.append(_problem("data_object_unwritten", reader, filename, data=name))
    return out


def _lanes(process, filename: str, out: list[Problem]) -> dict[str, str]:
    lane_of: dict[str, str] = {}
    for lane in process.iter(f"{B}lane"):
        refs = lane.findall(f"{B}flowNodeRef")
        if lane.find(f"{B}childLaneSet") is not None:
            continue  # the innermost lanes carry the role
        if roles.role_for_lane(lane.get("name")) is None:
            out.append(_problem("lane_no_role", lane, filename, lane=lane.get("name") or lane.get("id"),
                                roles=", ".join(sorted(set(roles.LANE_ROLES)))))
        for ref in refs:
            if ref.text:
                lane_of[ref.text.strip()] = lane.get("name") or ""
    return lane_of


def form_reference(el) -> str:
    for prop in el.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        if prop.get("name") == "formJsonSchemaFilename":
            return (prop.get("value") or "").strip()
    return ""


def _lint_user_task(el, filename: str, ctx: LintContext, lane_of: dict[str, str]) -> list[Problem]:
    out = []
    if el.get("id") not in lane_of:
        out.append(_problem("task_no_lane", el, filename))
    form = form_reference(el)
    if not form:
        return out + [_problem("no_form", el, filename)]
    if form in ctx.form_overrides:
        schema, error = check_form(ctx.form_overrides[form])
    elif ctx.forms_dir is None:
        return out
    else:
        schema, error = load_form(ctx.forms_dir, form)
    if error == "missing":
        out.append(_problem("form_missing", el, filename, form=form))
    elif error:
        out.append(_problem("form_invalid", el, filename, form=form, detail=error))
    else:
        ctx.forms[form] = schema
    return out


def load_form(forms_dir: Path, reference: str) -> tuple[dict | None, str | None]:
    """Read a form's JSON Schema from the forms folder; (schema, None) or (None, reason)."""
    base = forms_dir.resolve()
    path = (base / reference).resolve()
    if base not in path.parents or not path.is_file():
        return None, "missing"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return None, str(exc)[:300]
    return check_form(schema)


def check_form(schema) -> tuple[dict | None, str | None]:
    """(schema, None) when it is a valid JSON Schema object, else (None, reason)."""
    if not isinstance(schema, dict):
        return None, "a form is a JSON object"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return None, str(exc.message)[:300]
    unusable = unusable_patterns(schema)
    if unusable:
        return None, "; ".join(unusable)[:300]
    return schema, None


def _lint_service_task(el, filename: str, ctx: LintContext) -> list[Problem]:
    op = el.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
    if op is None or not op.get("id"):
        return [_problem("service_no_handler", el, filename)]
    known = set(ctx.handler_names)
    if op.get("id") not in known:
        return [_problem("service_unknown_handler", el, filename, handler=op.get("id"),
                         known=", ".join(sorted(known)) or "-")]
    out = []
    for param in op.iterfind(".//spiffworkflow:parameter", NS):
        reason = check_script(param.get("value") or "None", "eval")
        if reason:
            out.append(_problem("script_invalid", el, filename, detail=reason))
    return out


def _lint_timer(definition, filename: str, ctx: LintContext) -> list[Problem]:
    event = definition.getparent()
    for kind in ("timeDate", "timeDuration", "timeCycle"):
        expr_el = definition.find(f"{B}{kind}")
        if expr_el is None:
            continue
        expr = (expr_el.text or "").strip()
        if not expr:
            return [_problem("timer_empty", event, filename)]
        if _ISO_LIKE.match(expr):
            return [_problem("timer_unquoted", event, filename, expr=expr)]
        reason = check_script(expr, "eval")
        if reason:
            return [_problem("script_invalid", event, filename, detail=reason)]
        return _evaluate_timer(kind, expr, event, filename, ctx)
    return [_problem("timer_empty", event, filename)]


def _evaluate_timer(kind: str, expr: str, event, filename: str, ctx: LintContext) -> list[Problem]:
    env = RestrictedEnvironment(ctx.timer_helpers, timeout=1.0)
    try:
        value = env.evaluate(expr, dict(ctx.sample_data))
        if not isinstance(value, str):
            raise ValueError(f"gives {type(value).__name__}, not an ISO 8601 text")
        check_timer_text(kind, value)
    except NameError as exc:
        # depends on process data that only exists at run time
        return [_problem("timer_invalid", event, filename, severity="warning", expr=expr, detail=str(exc))]
    except Exception as exc:  # any failure of a designer's expression is reported, never raised
        detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return [_problem("timer_invalid", event, filename, expr=expr, detail=detail)]
    return []


def _lint_gateway(gateway, process, filename: str) -> list[Problem]:
    gid = gateway.get("id")
    default = gateway.get("default")
    scope = gateway.getparent()
    outgoing = [f for f in scope.findall(f"{B}sequenceFlow") if f.get("sourceRef") == gid]
    if len(outgoing) < 2:
        return []
    return [
        _problem("gateway_no_condition", flow, filename)
        for flow in outgoing
        if flow.get("id") != default and flow.find(f"{B}conditionExpression") is None
    ]


def _lint_scripts(el, tag: str, filename: str) -> list[Problem]:
    sources: list[tuple[str, str]] = []
    if tag == "scriptTask":
        script = el.find(f"{B}script")
        if script is not None and (script.text or "").strip():
            sources.append((script.text, "exec"))
    elif tag == "conditionExpression" and (el.text or "").strip():
        sources.append((el.text.strip(), "eval"))
    for name in ("preScript", "postScript"):
        node = el.find(f"bpmn:extensionElements/spiffworkflow:{name}", NS)
        if node is not None and (node.text or "").strip():
            sources.append((node.text, "exec"))
    out = []
    target = el.getparent() if tag == "conditionExpression" else el
    for source, mode in sources:
        foreign = _foreign_language(source) if mode == "eval" else None
        if foreign is not None:
            out.append(_problem(foreign[0], target, filename, expr=source.strip()[:200], python=foreign[1]))
            continue
        reason = check_script(source, mode)
        if reason:
            out.append(_problem("script_invalid", target, filename, detail=reason))
    return out


def _foreign_language(expr: str) -> tuple[str, str] | None:
    """A condition written for another engine: JUEL (Camunda 7, Activiti: ``${approved}``) or FEEL
    (Camunda 8: ``=approved``) with the Python it most likely means, or XPath (the BPMN default
    language), which has no equivalent here. (``slaflow bpmn import`` rewrites them.)"""
    kind = foreign_expr.dialect(expr)
    if kind is not None:
        rewritten = foreign_expr.to_python(expr)
        return f"condition_{kind}", rewritten.python if rewritten else 'decision == "approve"'
    stripped = expr.strip()
    if stripped.startswith(("/", "bpmn:", "getDataObject(")) or "bpmn:getDataObject" in stripped:
        return "condition_xpath", ""
    return None


def _unreachable(scope, filename: str) -> list[Problem]:
    nodes = {c.get("id"): c for c in scope if _local(c) in FLOW_NODES and c.get("id")}
    if not nodes:
        return []
    edges: dict[str, list[str]] = {}
    for flow in scope.findall(f"{B}sequenceFlow"):
        edges.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    starts = [i for i, n in nodes.items() if _local(n) == "startEvent"]
    # link catch events and compensation handlers are entered without a sequence flow
    starts += [
        i for i, n in nodes.items()
        if (_local(n) == "intermediateCatchEvent" and n.find(f"{B}linkEventDefinition") is not None)
        or n.get("isForCompensation") == "true"
        or (_local(n) == "subProcess" and n.get("triggeredByEvent") == "true")
    ]
    if not [i for i in starts if _local(nodes[i]) == "startEvent"] and scope.tag != f"{B}process":
        # a subprocess without a start event begins at its nodes without incoming flows
        targets = {t for ts in edges.values() for t in ts}
        starts += [i for i in nodes if i not in targets and _local(nodes[i]) != "boundaryEvent"]
    boundary = {}
    for i, n in nodes.items():
        if _local(n) == "boundaryEvent":
            boundary.setdefault(n.get("attachedToRef"), []).append(i)
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += edges.get(current, [])
        todo += boundary.get(current, [])
    return [_problem("unreachable", n, filename) for i, n in nodes.items() if i not in seen]
