"""Diagrams into specs: the BPMN elements the engine runs, the schema, the parser, timer texts."""
from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

SUPPORTED_TAGS = frozenset(
    etree.QName(tag).localname
    for tag in list(SpiffBpmnParser.PARSER_CLASSES) + list(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES)
)  # the BPMN elements the engine can run


class SpecParseError(Exception):
    """The workflow library refused a diagram; where, when it says."""

    def __init__(self, detail: str, element_id: str = "", element_name: str = "", filename: str = ""):
        super().__init__(detail)
        self.detail, self.element_id, self.element_name, self.filename = detail, element_id, element_name, filename


def bpmn_schema():
    """The BPMN 2.0 XML schema (with the Spiff extensions) as an lxml ``XMLSchema``."""
    return VALIDATOR.validator


def parse_specs(trees: dict, process_id: str):
    """The (spec, subprocess specs) of ``process_id`` from parsed BPMN documents {file name: lxml tree}."""
    parser = SpiffBpmnParser()
    try:
        for name, tree in trees.items():
            parser.add_bpmn_xml(tree, name)
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise SpecParseError(str(exc).splitlines()[0], getattr(exc, "id", "") or "", getattr(exc, "name", "") or "",
                             getattr(exc, "file_name", "") or "") from None


def check_timer_text(kind: str, value: str) -> None:
    """Raise ValueError unless ``value`` is what a timer of ``kind`` (timeDate, timeDuration, timeCycle)
    takes: an ISO 8601 date and time, duration or repeating interval."""
    if kind == "timeDate":
        TimerEventDefinition.parse_time_or_duration(value)
    elif kind == "timeDuration":
        TimerEventDefinition.parse_iso_duration(value)
    else:
        TimerEventDefinition.parse_iso_recurring_interval(value)
