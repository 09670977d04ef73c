"""``bpmn check`` says what deploy will say: on every sample of other modelers and on the shipped
diagrams, a file is "executable" exactly when deploying it succeeds; what the workflow library alone
refuses (a sub-process without a start event) is found by check too."""
from __future__ import annotations

import pytest

from engine.bpmn.bundle import build_bundle, check_deployable
from engine.bpmn.lint import LintContext
from engine.config import REPO_ROOT
from engine.errors import BpmnInvalid
from tests.engine.test_lint import HANDLERS, HELPERS

SAMPLES = sorted((REPO_ROOT.parent / "shared" / "bpmn-samples").rglob("*.bpmn"))
SHIPPED = sorted((REPO_ROOT / "bpmn").rglob("*.bpmn"))

NO_START = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="urn:t">
  <bpmn:process id="p" name="Sub without start" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="sub" name="Inner work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:endEvent id="inner_end"/>
    </bpmn:subProcess>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def lint_ctx():
    return LintContext(forms_dir=REPO_ROOT / "forms", handler_names=tuple(HANDLERS), timer_helpers=HELPERS)


def _deploys(files: dict, context) -> bool:
    try:
        build_bundle(files, context, 2 * 1024 * 1024)
    except BpmnInvalid:
        return False
    return True


def _checks(files: dict, context) -> bool:
    results = check_deployable(files, context, 2 * 1024 * 1024)
    return not any(p.severity == "error" for ps in results.values() for p in ps)


@pytest.mark.skipif(not SAMPLES, reason="no samples beside the checkout")
def test_the_verdict_of_check_is_the_verdict_of_deploy_on_every_sample(lint_ctx):
    for path in SAMPLES:
        files = {path.name: path.read_bytes()}
        assert _checks(files, lint_ctx) == _deploys(files, lint_ctx), path


def test_the_shipped_bundles_check_and_deploy(lint_ctx):
    from engine.services.deploy import folder_bundles

    for files in folder_bundles(REPO_ROOT / "bpmn").values():
        assert _checks(files, lint_ctx) and _deploys(files, lint_ctx)


def test_what_only_the_workflow_library_refuses_is_found_by_check(lint_ctx):
    files = {"sub.bpmn": NO_START}
    results = check_deployable(files, lint_ctx, 2 * 1024 * 1024)
    errors = [p for p in results["sub.bpmn"] if p.severity == "error"]
    assert errors and not _deploys(files, lint_ctx)
    assert any(p.code == "parse_error" or p.element_id == "sub" for p in errors)
