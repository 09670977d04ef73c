"""Instance state and specs to JSON and back; restored specs kept per process version."""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG


class _StateConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its spec; the spec objects are handed back in at load."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(DEFAULT_CONFIG)
    config[BpmnWorkflow] = _StateConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]),
                      typename="date")
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]), typename="Decimal")
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _make_serializer()

class Specs:
    """Restored spec objects per process version (specs are read-only at run time)."""

    def __init__(self, size: int = 64):
        self._cache: OrderedDict[int, tuple] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, version_id: int, spec_json: str | Callable[[], str]):
        """The restored (spec, subprocess specs) of a version; ``spec_json`` may be a loader."""
        with self._lock:
            hit = self._cache.get(version_id)
            if hit is not None:
                self._cache.move_to_end(version_id)
                return hit
        specs = specs_from_json(spec_json() if callable(spec_json) else spec_json)
        with self._lock:
            self._cache[version_id] = specs
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return specs


def specs_to_json(spec, subprocess_specs: dict) -> str:
    registry = SERIALIZER.registry
    return json.dumps({
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()},
    })


def specs_from_json(spec_json: str):
    data = json.loads(spec_json)
    registry = SERIALIZER.registry
    spec = registry.restore(data["spec"])
    subs = {name: registry.restore(s) for name, s in data["subprocess_specs"].items()}
    return spec, subs
