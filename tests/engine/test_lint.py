"""The lint reports each problem by element id and name, in Thai and in English."""
from __future__ import annotations

import pytest

from engine.bpmn.bundle import check_files
from engine.bpmn.lint import LintContext
from engine.config import REPO_ROOT
from engine.context import load_glue
from tests.bpmn_factory import flow, lanes, one_task, process, simple, user_task

HANDLERS, HELPERS = load_glue("workflows.handlers")


def lint(xml: str):
    ctx = LintContext(forms_dir=REPO_ROOT / "forms", handler_names=tuple(HANDLERS), timer_helpers=HELPERS)
    return check_files({"t.bpmn": xml.encode()}, ctx, 2_000_000)["t.bpmn"]


def codes(problems, severity="error"):
    return {(p.code, p.element_id) for p in problems if p.severity == severity}


def test_clean_diagram_has_no_problems():
    assert lint(one_task()) == []
    ctx = LintContext(forms_dir=REPO_ROOT / "forms", handler_names=tuple(HANDLERS), timer_helpers=HELPERS)
    for folder in ("sla", "kpi_2566"):
        files = {p.name: p.read_bytes() for p in (REPO_ROOT / "bpmn" / folder).glob("*.bpmn")}
        assert {name: problems for name, problems in check_files(files, ctx, 2_000_000).items() if problems} == {}


def test_unquoted_timer_expression():
    problems = lint(one_task(timer="PT1S"))
    assert ("timer_unquoted", "timer1") in codes(problems)
    p = next(p for p in problems if p.code == "timer_unquoted")
    assert p.element_name == "deadline"
    assert '"PT1S"' in p.message("en") and "เครื่องหมายคำพูด" in p.message("th")


def test_timer_with_calendar_helper_evaluates():
    assert lint(one_task(timer="report_due(2569, 6)")) == []
    problems = lint(one_task(timer="report_due(2569, 7)"))
    assert ("timer_invalid", "timer1") in codes(problems)
    assert lint(one_task(timer='"not a date"')) and codes(lint(one_task(timer='"not a date"')))


def test_user_task_without_form_and_missing_form():
    xml = simple(user_task("t1", "f_start", "f_end", name="กรอกข้อมูล", form=None), "t1", "t1", {"officer": ["t1"]})
    problems = lint(xml)
    assert ("no_form", "t1") in codes(problems)
    assert next(p for p in problems if p.code == "no_form").element_name == "กรอกข้อมูล"
    xml = simple(user_task("t1", "f_start", "f_end", form="sla/nope.json"), "t1", "t1", {"officer": ["t1"]})
    assert ("form_missing", "t1") in codes(lint(xml))
    xml = simple(user_task("t1", "f_start", "f_end", form="../../etc/passwd"), "t1", "t1", {"officer": ["t1"]})
    assert ("form_missing", "t1") in codes(lint(xml))


def test_lane_without_role_and_task_outside_lanes():
    xml = simple(user_task("t1", "f_start", "f_end"), "t1", "t1", {"แม่บ้าน": ["t1"]})
    assert ("lane_no_role", "lane_0") in codes(lint(xml))
    xml = simple(user_task("t1", "f_start", "f_end"), "t1", "t1")
    assert ("task_no_lane", "t1") in codes(lint(xml))


def test_service_task_without_or_with_unknown_handler():
    body = ('<bpmn:serviceTask id="svc" name="คำนวณ"><bpmn:incoming>f_start</bpmn:incoming>'
            '<bpmn:outgoing>f_end</bpmn:outgoing></bpmn:serviceTask>')
    assert ("service_no_handler", "svc") in codes(lint(simple(body, "svc", "svc")))
    body = ('<bpmn:serviceTask id="svc"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="rm_rf"/>'
            '</bpmn:extensionElements><bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_end</bpmn:outgoing>'
            '</bpmn:serviceTask>')
    problems = lint(simple(body, "svc", "svc"))
    assert ("service_unknown_handler", "svc") in codes(problems)
    assert "sla_average_progress" in next(p for p in problems if p.code == "service_unknown_handler").message("en")


def test_non_executable_process_and_missing_start():
    assert ("not_executable", "p") in codes(lint(process("", executable=False)))
    xml = process(lanes({"officer": ["t1"]}) + user_task("t1", "x", "y"))
    assert ("no_start", "p") in codes(lint(xml))


def test_unreachable_nodes():
    extra = user_task("orphan", "f_o", "f_o2", name="ไม่มีทางเข้า") + \
        '<bpmn:endEvent id="end2"><bpmn:incoming>f_o2</bpmn:incoming></bpmn:endEvent>' + flow("f_o2", "orphan", "end2")
    xml = simple(user_task("t1", "f_start", "f_end") + extra, "t1", "t1", {"officer": ["t1", "orphan"]})
    found = codes(lint(xml))
    assert ("unreachable", "orphan") in found and ("unreachable", "end2") in found
    assert ("unreachable", "t1") not in found


def test_unsupported_element():
    body = ('<bpmn:complexGateway id="cg" name="ซับซ้อน"><bpmn:incoming>f_start</bpmn:incoming>'
            '<bpmn:outgoing>f_end</bpmn:outgoing></bpmn:complexGateway>')
    assert ("unsupported", "cg") in codes(lint(simple(body, "cg", "cg")))


@pytest.mark.parametrize("script,needle", [
    ("import os", "import"),
    ("x = ().__class__.__bases__[0].__subclasses__()", "__class__"),
    ("x = getattr(data, '__dict__')", None),
    ("def f(:", "syntax"),
])
def test_unsafe_or_broken_scripts_fail_lint(script, needle):
    problems = lint(one_task(script_before=script))
    if needle is None:  # compiles; refused at run time by the guarded getattr
        return
    assert ("script_invalid", "s1") in codes(problems)
    assert needle in next(p for p in problems if p.code == "script_invalid").message("en")


def test_gateway_flow_without_condition():
    body = ('<bpmn:exclusiveGateway id="gw"><bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>a</bpmn:outgoing>'
            '<bpmn:outgoing>b</bpmn:outgoing></bpmn:exclusiveGateway>'
            + user_task("t1", "a", "f_end") + user_task("t2", "b", "f_end2")
            + '<bpmn:endEvent id="end2"><bpmn:incoming>f_end2</bpmn:incoming></bpmn:endEvent>')
    extra = flow("a", "gw", "t1", "x == 1") + flow("b", "gw", "t2") + flow("f_end2", "t2", "end2")
    problems = lint(simple(body, "gw", "t1", {"officer": ["t1", "t2"]}, extra))
    assert ("gateway_no_condition", "b") in codes(problems)


def test_elements_of_other_namespaces_are_not_bpmn_elements():
    """Camunda 8's <zeebe:userTask/> in a task's extensions is no BPMN user task (it used to bring
    errors with no element id)."""
    xml = one_task().replace('xmlns:xsi=', 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi=', 1)
    xml = xml.replace("<bpmn:extensionElements>", "<bpmn:extensionElements><zeebe:userTask/>", 1)
    assert "<zeebe:userTask/>" in xml
    assert [p for p in lint(xml) if p.severity == "error"] == []


def test_conditions_of_other_engines_are_explained_with_their_python():
    # a gateway whose conditions were written for other engines: JUEL and XPath
    body = ('<bpmn:exclusiveGateway id="g" name="approved?" default="f_no"><bpmn:incoming>f_start</bpmn:incoming>'
            '<bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing><bpmn:outgoing>f_x</bpmn:outgoing>'
            '</bpmn:exclusiveGateway>'
            + user_task("t1", "f_yes", "f_end") + user_task("t2", "f_no", "f_end2") + user_task("t3", "f_x", "f_end3")
            + '<bpmn:endEvent id="e2"><bpmn:incoming>f_end2</bpmn:incoming></bpmn:endEvent>'
            + '<bpmn:endEvent id="e3"><bpmn:incoming>f_end3</bpmn:incoming></bpmn:endEvent>')
    juel = simple(body, "g", "t1", {"officer": ["t1", "t2", "t3"]},
                  flow("f_yes", "g", "t1", "${approved &amp;&amp; amount &gt; 1000}") + flow("f_no", "g", "t2")
                  + flow("f_x", "g", "t3", "/data/approved = 'true'")
                  + flow("f_end2", "t2", "e2") + flow("f_end3", "t3", "e3"))
    problems = {p.code: p for p in lint(juel) if p.severity == "error"}
    assert problems["condition_juel"].params["python"] == "approved and amount > 1000"
    assert "JUEL" in problems["condition_juel"].message("th") and "amount > 1000" in problems["condition_juel"].message("th")
    assert "XPath" in problems["condition_xpath"].message("th")
    assert "script_invalid" not in problems  # not a bare "syntax error"
    feel = juel.replace("${approved &amp;&amp; amount &gt; 1000}", '= status = "paid" and not(late)')
    problems = {p.code: p for p in lint(feel) if p.severity == "error"}
    assert problems["condition_feel"].params["python"] == 'status == "paid" and not (late)'
    assert "FEEL" in problems["condition_feel"].message("en")


def test_a_process_not_executable_still_shows_its_other_problems():
    xml = one_task().replace('isExecutable="true"', 'isExecutable="false"').replace(
        'name="officer"', 'name="no such role"')
    found = {p.code for p in lint(xml) if p.severity == "error"}
    assert {"not_executable", "lane_no_role"} <= found


def test_plain_tasks_without_a_lane_and_empty_processes_are_flagged():
    plain = simple('<bpmn:task id="t1" name="ตรวจเอกสาร"><bpmn:incoming>f_start</bpmn:incoming>'
                   '<bpmn:outgoing>f_end</bpmn:outgoing></bpmn:task>', "t1", "t1")
    assert ("plain_task_no_lane", "t1") in codes(lint(plain), "warning")
    empty = process('<bpmn:startEvent id="s"/>')
    assert ("nothing_to_do", "p") in codes(lint(empty))


def test_schema_messages_read_in_thai():
    xml = one_task().replace('isExecutable="true"', 'isExecutable="maybe"')
    schema = [p for p in lint(xml) if p.code == "schema"]
    assert schema
    thai = schema[0].message("th")
    assert "ไม่ใช่ค่าชนิด boolean" in thai and "is not a valid value" not in thai
    assert "is not a valid value" in schema[0].message("en")  # English readers get libxml2's own words


def test_data_objects_read_but_never_written_or_dangling():
    body = ('<bpmn:dataObject id="DO_plan"/>'
            '<bpmn:dataObjectReference id="ref_plan" dataObjectRef="DO_plan"/>'
            '<bpmn:dataObjectReference id="ref_ghost" dataObjectRef="DO_ghost"/>'
            '<bpmn:userTask id="t1" name="ใช้แผน"><bpmn:incoming>f_start</bpmn:incoming>'
            '<bpmn:outgoing>f_end</bpmn:outgoing>'
            '<bpmn:dataInputAssociation id="in1"><bpmn:sourceRef>ref_plan</bpmn:sourceRef></bpmn:dataInputAssociation>'
            '</bpmn:userTask>')
    xml = simple(body, "t1", "t1", {"officer": ["t1"]})
    found = codes(lint(xml))
    assert ("data_object_unwritten", "t1") in found and ("data_object_missing", "ref_ghost") in found
    written = xml.replace('<bpmn:dataObjectReference id="ref_ghost" dataObjectRef="DO_ghost"/>', "").replace(
        '<bpmn:dataInputAssociation id="in1">',
        '<bpmn:dataOutputAssociation id="out1"><bpmn:targetRef>ref_plan</bpmn:targetRef></bpmn:dataOutputAssociation>'
        '<bpmn:dataInputAssociation id="in1">')
    assert not {c for c in codes(lint(written)) if c[0].startswith("data_object")}
