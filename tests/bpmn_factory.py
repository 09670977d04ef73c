"""Small BPMN documents for tests, built from a list of element snippets."""
from __future__ import annotations

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="urn:test">\n')


def form_ext(form: str = "sla/review.schema.json") -> str:
    return ('<bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="formJsonSchemaFilename" value="{form}"/>'
            '</spiffworkflow:properties></bpmn:extensionElements>')


def user_task(task_id: str, incoming: str, outgoing: str, name: str = "", form: str | None = "sla/review.schema.json"):
    ext = form_ext(form) if form else ""
    return (f'<bpmn:userTask id="{task_id}" name="{name or task_id}">{ext}'
            f'<bpmn:incoming>{incoming}</bpmn:incoming><bpmn:outgoing>{outgoing}</bpmn:outgoing></bpmn:userTask>')


def flow(fid: str, src: str, dst: str, condition: str | None = None) -> str:
    cond = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
            if condition else "")
    return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}">{cond}</bpmn:sequenceFlow>'


def lanes(mapping: dict[str, list[str]]) -> str:
    body = "".join(
        f'<bpmn:lane id="lane_{i}" name="{name}">' + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
        + "</bpmn:lane>"
        for i, (name, nodes) in enumerate(mapping.items())
    )
    return f'<bpmn:laneSet id="ls">{body}</bpmn:laneSet>'


def process(body: str, pid: str = "p", executable: bool = True, name: str = "Test process") -> str:
    return (f'{HEAD}<bpmn:process id="{pid}" name="{name}" isExecutable="{"true" if executable else "false"}">'
            f"{body}</bpmn:process></bpmn:definitions>")


def simple(middle: str, first: str, last: str, lane_map: dict | None = None, extra_flows: str = "") -> str:
    """start -> <middle elements, first..last> -> end."""
    lane_xml = lanes(lane_map) if lane_map else ""
    return process(
        lane_xml
        + '<bpmn:startEvent id="start"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>'
        + middle
        + '<bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>'
        + flow("f_start", "start", first) + flow("f_end", last, "end") + extra_flows
    )


def one_task(script_before: str | None = None, timer: str | None = None, condition: str | None = None) -> str:
    """start -> [script] -> task (officer lane) [with timer boundary] -> end."""
    body, nodes = "", ["t1"]
    first = "t1"
    if script_before is not None:
        body += (f'<bpmn:scriptTask id="s1" name="script"><bpmn:incoming>f_start</bpmn:incoming>'
                 f'<bpmn:outgoing>f_s</bpmn:outgoing><bpmn:script>{script_before}</bpmn:script></bpmn:scriptTask>')
        first = "s1"
        body += user_task("t1", "f_s", "f_end")
        extra = flow("f_s", "s1", "t1")
    else:
        body += user_task("t1", "f_start", "f_end")
        extra = ""
    if timer is not None:
        body += (f'<bpmn:boundaryEvent id="timer1" name="deadline" attachedToRef="t1" cancelActivity="true">'
                 f'<bpmn:outgoing>f_late</bpmn:outgoing><bpmn:timerEventDefinition>'
                 f'<bpmn:timeDate>{timer}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                 + user_task("late", "f_late", "f_late_end", name="late report")
                 + '<bpmn:endEvent id="end_late"><bpmn:incoming>f_late_end</bpmn:incoming></bpmn:endEvent>')
        extra += flow("f_late", "timer1", "late") + flow("f_late_end", "late", "end_late")
        nodes += ["late"]
    return simple(body, first, "t1", {"officer": nodes}, extra)
