"""Walking a BPMN process for the import: the flow nodes and their order, the user task before a node, the
lane of an event from its neighbours, readable labels and identifiers, the process people start."""
from __future__ import annotations

import re
from collections import defaultdict, deque

from lxml import etree

from .lint import B

ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
               "businessRuleTask", "subProcess", "transaction", "adHocSubProcess", "callActivity"}


FLOW_NODE_TAGS = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "businessRuleTask",
    "subProcess", "transaction", "adHocSubProcess", "callActivity", "startEvent", "endEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "exclusiveGateway", "inclusiveGateway",
    "parallelGateway", "eventBasedGateway", "complexGateway", "boundaryEvent",
}


def identifier(text: str, taken: set[str]) -> str:
    """A Python and XML-friendly name from ``text`` (ASCII letters, digits, _), unique in ``taken``."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", text or "").strip("_") or "field"
    if name[0].isdigit():
        name = f"f_{name}"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def element_label(el) -> str:
    return (el.get("name") or "").strip().replace("\n", " ") or el.get("id", "")


class ScopeIndex:
    """The flow nodes and sequence flows of one scope (a process or a sub-process), indexed once: every
    question below is answered without scanning the scope again (an import of a large file stays
    linear)."""

    def __init__(self, scope):
        self.by_id = {e.get("id"): e for e in scope if isinstance(e.tag, str) and e.get("id")}
        self.incoming: dict[str, list] = defaultdict(list)
        self.outgoing: dict[str, list] = defaultdict(list)
        for flow in scope.findall(f"{B}sequenceFlow"):
            self.incoming[flow.get("targetRef")].append(flow)
            self.outgoing[flow.get("sourceRef")].append(flow)

    def flow_label(self, flow) -> str:
        """A flow's name, else its target's."""
        name = (flow.get("name") or "").strip().replace("\n", " ")
        if name:
            return name
        target = self.by_id.get(flow.get("targetRef"))
        return element_label(target) if target is not None else flow.get("id")

    def user_task_before(self, node):
        """The nearest user task before ``node``, walking back through gateways and events."""
        seen, queue = set(), deque([node.get("id")])
        while queue:
            for flow in self.incoming.get(queue.popleft(), ()):
                source_id = flow.get("sourceRef")
                if source_id in seen:
                    continue
                seen.add(source_id)
                source = self.by_id.get(source_id)
                if source is None:
                    continue
                if etree.QName(source).localname == "userTask":
                    return source
                queue.append(source_id)
        return None

    def neighbour_role(self, node_id: str, lane_for: dict[str, str]) -> str | None:
        """The lane of the task after a node (a start event joins whoever does the first task), else of
        the one before it, else of the task a boundary event sits on."""
        for flow in self.outgoing.get(node_id, ()):
            if flow.get("targetRef") in lane_for:
                return lane_for[flow.get("targetRef")]
        for flow in self.incoming.get(node_id, ()):
            if flow.get("sourceRef") in lane_for:
                return lane_for[flow.get("sourceRef")]
        el = self.by_id.get(node_id)
        if el is not None and el.get("attachedToRef") in lane_for:
            return lane_for[el.get("attachedToRef")]
        return None


def flow_order(process, nodes) -> list:
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


def participant_name(root, process_id: str) -> str:
    for participant in root.iter(f"{B}participant"):
        if participant.get("processRef") == process_id:
            return (participant.get("name") or "").strip()
    return ""


def main_process(root) -> str:
    """The process people start: not called by another one of the file, first with a start event."""
    called = {c.get("calledElement") for c in root.iter(f"{B}callActivity")}
    for process in root.iter(f"{B}process"):
        if process.get("id") not in called and process.find(f"{B}startEvent") is not None:
            return process.get("id")
    first = next(root.iter(f"{B}process"), None)
    return first.get("id") if first is not None else ""
