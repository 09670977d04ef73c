"""Contract over every shipped diagram and form: a designer's change that breaks one fails here."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree

from engine.bpmn.bundle import build_bundle, check_files
from engine.bpmn.lint import NS, LintContext, form_reference
from engine.config import REPO_ROOT
from engine.context import load_glue
from engine.roles import role_for_lane

HANDLERS, HELPERS = load_glue("workflows.handlers")
BUNDLES = sorted(p for p in (REPO_ROOT / "bpmn").iterdir() if p.is_dir())
FORMS = sorted((REPO_ROOT / "forms").glob("*/*.schema.json"))


def lint_ctx():
    return LintContext(forms_dir=REPO_ROOT / "forms", handler_names=tuple(HANDLERS), timer_helpers=HELPERS)


def files_of(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.bpmn"))}


@pytest.mark.parametrize("folder", BUNDLES, ids=lambda p: p.name)
def test_bundle_lints_clean_and_parses(folder):
    problems = check_files(files_of(folder), lint_ctx(), 2_000_000)
    assert {name: [p.to_dict("en") for p in ps] for name, ps in problems.items() if ps} == {}
    bundle = build_bundle(files_of(folder), lint_ctx(), 2_000_000)
    assert bundle.warnings == []
    assert bundle.forms  # every form the diagrams use travels with the version


@pytest.mark.parametrize("folder", BUNDLES, ids=lambda p: p.name)
def test_every_task_has_form_example_role_and_handler(folder):
    for path in folder.glob("*.bpmn"):
        tree = etree.parse(str(path))
        lanes = {ref.text: lane.get("name") for lane in tree.iterfind(".//bpmn:lane", NS)
                 for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
        for lane in tree.iterfind(".//bpmn:lane", NS):
            assert role_for_lane(lane.get("name")), f"{path.name}: lane {lane.get('name')} maps to no role"
        for task in tree.iterfind(".//bpmn:userTask", NS):
            form = form_reference(task)
            schema_path = REPO_ROOT / "forms" / form
            example_path = schema_path.with_name(schema_path.name.replace(".schema.json", ".example.json"))
            assert schema_path.is_file() and example_path.is_file(), (path.name, task.get("id"), form)
            assert role_for_lane(lanes.get(task.get("id"))), (path.name, task.get("id"))
        for task in tree.iterfind(".//bpmn:serviceTask", NS):
            op = task.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
            assert op is not None and op.get("id") in HANDLERS, (path.name, task.get("id"))


@pytest.mark.parametrize("schema_path", FORMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_form_is_valid_thai_and_its_example_validates(schema_path):
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in schema["title"]), "form titles are in Thai"
    for name, prop in schema.get("properties", {}).items():
        assert prop.get("title") or prop.get("$ref"), f"{name} has no title"
    example = json.loads(schema_path.with_name(schema_path.name.replace(".schema.json", ".example.json"))
                         .read_text(encoding="utf-8"))
    errors = [e.message for e in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(example)]
    assert errors == []


def test_timer_expressions_evaluate_to_dates():
    """Every timer in the shipped diagrams evaluates with the data an instance starts with."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    from engine.bpmn.lint import sample_start_data
    from engine.runtime import RestrictedEnvironment

    env = RestrictedEnvironment(HELPERS)
    count = 0
    for folder in BUNDLES:
        for path in folder.glob("*.bpmn"):
            for expr in etree.parse(str(path)).iterfind(".//bpmn:timerEventDefinition/bpmn:timeDate", NS):
                value = env.evaluate(expr.text.strip(), sample_start_data())
                assert TimerEventDefinition.get_datetime(value).tzinfo is not None
                count += 1
    assert count >= 7  # 3 round openings + 3 report due dates + 2 KPI rounds (at least)
