"""The routing part of an import: conditions rewritten as Python (or replaced by a choice on a form),
gateways without conditions given a choice for the person before them, and implicit splits (an activity
with several outgoing flows) made explicit with a gateway. A mixin of the importer's job: it uses the
job's ``root``, ``stubs``, ``note`` and ``_index_of``."""
from __future__ import annotations

import ast

from lxml import etree

from . import foreign_expr
from .flow_graph import ACTIVITIES, ScopeIndex, element_label, identifier
from .lane_layout import draw_splits
from .lint import B

_XPATH_BOOLEANS = {"true": "True", "false": "False", "true()": "True", "false()": "False"}


class Routing:
    def _gateway(self, process, gateway) -> None:
        gid = gateway.get("id")
        scope = gateway.getparent()
        index = self._index_of(scope)
        outgoing = list(index.outgoing.get(gid, ()))
        if len(outgoing) < 2:
            return
        default = gateway.get("default")
        bare = [f for f in outgoing if f.get("id") != default and f.find(f"{B}conditionExpression") is None]
        if not bare:
            return
        if len(bare) == 1 and not default and len(bare) < len(outgoing):
            gateway.set("default", bare[0].get("id"))
            self.note("default_flow", gateway, name=element_label(gateway), flow=index.flow_label(bare[0]))
            return
        decider = index.user_task_before(gateway)
        if decider is None:
            self.note("route_no_task", gateway, todo=True, name=element_label(gateway))
            return
        field_name = identifier(f"route_{gid}", self.stubs.field_names(decider))
        options = []
        for flow in outgoing:
            if flow.get("id") == default and flow.find(f"{B}conditionExpression") is None:
                continue
            label = index.flow_label(flow)
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
        self.stubs.add(decider, field_name, schema, required=True)
        self.note("route", gateway, name=element_label(gateway), task=element_label(decider),
                  options=", ".join(options))

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
        index = self._index_of(flow.getparent())
        source = index.by_id.get(flow.get("sourceRef"))
        decider = source if source is not None and etree.QName(source).localname == "userTask" else \
            index.user_task_before(source) if source is not None else None
        if decider is None:
            return
        for name, kind in rewritten.variables.items():
            if name in self.stubs.field_names(decider):
                continue
            if kind == "string" and rewritten.strings.get(name):
                schema = {"type": "string", "title": name, "enum": rewritten.strings[name]}
            elif kind == "number":
                schema = {"type": "number", "title": name}
            elif kind == "boolean":
                schema = {"type": "boolean", "title": name}
            else:
                schema = {"type": "string", "title": name}
            self.stubs.add(decider, name, schema, required=True)

    def _split_activities(self, process) -> None:
        """An activity with several outgoing flows (an implicit split) gets a gateway after it: inclusive
        when the flows have conditions, parallel when they have none (what BPMN means by them)."""
        splits = []
        for scope in [process, *process.iter(f"{B}subProcess", f"{B}transaction", f"{B}adHocSubProcess")]:
            index = ScopeIndex(scope)
            for node in list(scope):
                kind = etree.QName(node).localname if isinstance(node.tag, str) else ""
                if kind not in ACTIVITIES:
                    continue
                outgoing = list(index.outgoing.get(node.get("id"), ()))
                if len(outgoing) < 2:
                    continue
                # a default flow means the others are conditional, even when a modeler left them bare
                conditional = bool(node.get("default")) or any(
                    f.find(f"{B}conditionExpression") is not None for f in outgoing)
                gateway_kind = "inclusiveGateway" if conditional else "parallelGateway"
                gid = f"{node.get('id')}_split"
                gateway = etree.Element(f"{B}{gateway_kind}", id=gid)
                link = etree.Element(f"{B}sequenceFlow", id=f"{gid}_in", sourceRef=node.get("id"), targetRef=gid)
                node.addnext(gateway)  # right after the activity, then the flow into it
                gateway.addnext(link)
                for f in outgoing:
                    f.set("sourceRef", gid)
                if node.get("default"):
                    gateway.set("default", node.attrib.pop("default"))
                for out in node.findall(f"{B}outgoing"):
                    node.remove(out)
                splits.append((node, gateway, link, outgoing))
                self.note("split", node, name=element_label(node), gateway="inclusive" if conditional else "parallel")
        draw_splits(self.root, splits)


def _is_python(text: str) -> bool:
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True
