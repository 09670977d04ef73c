"""Designer use cases: drafts, validation by element, forms in drafts, deploy, version diffs, migration."""
from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from engine.errors import BpmnInvalid, Conflict, Forbidden, InvalidInput, NotFound
from engine.models import AuditEvent, HumanTask, Instance
from engine.services import design, inbox, instances, migration, tasks
from tests.bpmn_factory import flow, simple, user_task
from tests.conftest import ADMIN, REVIEW, REVIEW_BPMN
from tests.engine.test_bpmn_loading import XXE

V1 = simple(user_task("A", "f_start", "a_b") + user_task("B", "a_b", "f_end"), "A", "B",
            {"officer": ["A", "B"]}, flow("a_b", "A", "B"))
V2 = simple(user_task("A", "f_start", "a_c") + user_task("C", "a_c", "c_b", name="ขั้นใหม่") +
            user_task("B", "c_b", "f_end"), "A", "B", {"officer": ["A", "B", "C"]},
            flow("a_c", "A", "C") + flow("c_b", "C", "B"))
NEW_FORM = {"type": "object", "title": "แบบฟอร์มใหม่", "required": ["x"], "properties": {"x": {"type": "string"}}}


@pytest.fixture
def designer(world):
    return world.actor("designer")


def test_only_designers_and_drafts_are_personal(world, designer):
    with pytest.raises(Forbidden):
        design.new_draft(world.ctx, world.actor("officer.a"))
    draft = design.new_draft(world.ctx, designer, "ใหม่")
    with pytest.raises(NotFound):
        design.get_draft(world.ctx, world.actor("admin").__class__(999, "other", None, frozenset({"designer"})),
                         draft)


def test_draft_from_version_validate_fix_and_deploy(world, designer):
    ctx = world.ctx
    draft_id = design.new_draft(ctx, designer, version_id=world.deployed.version_id)
    draft = design.get_draft(ctx, designer, draft_id)
    assert "review_cycle.bpmn" in draft.files and "sla/review.schema.json" in draft.forms
    assert design.validate(ctx, designer, draft_id) == []
    # add a user task without a form: validation names it; the draft is still saved
    xml = draft.files["review_cycle.bpmn"].replace(
        '<bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="select_process" />',
        '<bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="extra" />'
        '<bpmn:userTask id="extra" name="งานเพิ่ม"><bpmn:incoming>flow_start</bpmn:incoming>'
        '<bpmn:outgoing>flow_extra</bpmn:outgoing></bpmn:userTask>'
        '<bpmn:sequenceFlow id="flow_extra" sourceRef="extra" targetRef="select_process" />').replace(
        "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>extra</bpmn:flowNodeRef>")
    design.save_draft(ctx, designer, draft_id, {"review_cycle.bpmn": xml}, draft.forms, {})
    problems = design.validate(ctx, designer, draft_id)
    assert [(p.code, p.element_id) for p in problems if p.severity == "error"] == [("no_form", "extra")]
    with pytest.raises(BpmnInvalid):
        design.deploy_draft(ctx, designer, draft_id, "เพิ่มงาน")
    # give it a new form that lives in the draft, with an example that does not validate yet
    fixed = xml.replace('<bpmn:userTask id="extra" name="งานเพิ่ม">',
                        '<bpmn:userTask id="extra" name="งานเพิ่ม"><bpmn:extensionElements><spiffworkflow:properties>'
                        '<spiffworkflow:property name="formJsonSchemaFilename" value="sla/extra.schema.json"/>'
                        '</spiffworkflow:properties></bpmn:extensionElements>')
    forms = dict(draft.forms, **{"sla/extra.schema.json": NEW_FORM})
    design.save_draft(ctx, designer, draft_id, {"review_cycle.bpmn": fixed}, forms, {"sla/extra.schema.json": {}})
    assert [p.code for p in design.validate(ctx, designer, draft_id)] == ["form_example"]
    design.save_draft(ctx, designer, draft_id, {"review_cycle.bpmn": fixed}, forms,
                      {"sla/extra.schema.json": {"x": "ตัวอย่าง"}})
    assert design.validate(ctx, designer, draft_id) == []
    with pytest.raises(InvalidInput):
        design.deploy_draft(ctx, designer, draft_id, "   ")
    result = design.deploy_draft(ctx, designer, draft_id, "เพิ่มงานก่อนเลือกกระบวนงาน")
    assert (result.version, result.created) == (2, True)
    diff = design.diff(ctx, designer, result.version_id)
    assert diff["from"] == 1 and ("extra", "userTask", "งานเพิ่ม") in diff["added"]
    assert any(c[0] == "flow_start" and [k for k, _, _ in c[3]] == ["target"] for c in diff["changed"])
    assert diff["forms_changed"] == ["sla/extra.schema.json"]
    # running instances stay on their version; new ones start on v2 with the new first task
    iid = instances.start(ctx, ADMIN, REVIEW, world.agency_a, "บริการใหม่", 2569)
    assert inbox.list_tasks(ctx, world.actor("officer.a"))[0][0].name == "งานเพิ่ม"
    assert iid
    rows = design.versions(ctx, designer, REVIEW)
    assert [(r.version, r.note) for r in rows][0] == (2, "เพิ่มงานก่อนเลือกกระบวนงาน")


def test_hostile_uploads_and_saves_are_refused(world, designer):
    with pytest.raises(BpmnInvalid):
        design.new_draft(world.ctx, designer, files={"x.bpmn": XXE.encode()})
    draft_id = design.new_draft(world.ctx, designer, files={"../../etc/x.bpmn": REVIEW_BPMN.read_bytes()})
    assert list(design.get_draft(world.ctx, designer, draft_id).files) == ["x.bpmn"]
    with pytest.raises(BpmnInvalid):
        design.save_draft(world.ctx, designer, draft_id, {"x.bpmn": XXE}, {}, {})
    with pytest.raises(InvalidInput):
        design.save_draft(world.ctx, designer, draft_id, {}, {}, {})
    with pytest.raises(InvalidInput):
        design.save_draft(world.ctx, designer, draft_id, {"x.bpmn": 42}, {}, {})


def _deploy(world, designer, xml, note):
    draft_id = design.new_draft(world.ctx, designer, files={"m.bpmn": xml.encode()})
    design.save_draft(world.ctx, designer, draft_id, {"m.bpmn": xml}, {}, {})
    return design.deploy_draft(world.ctx, designer, draft_id, note)


def test_migration_preview_and_all_or_nothing(world, designer):
    ctx = world.ctx
    _deploy(world, designer, V1, "v1")
    officer = world.actor("officer.a")
    at_a = instances.start(ctx, ADMIN, "p", world.agency_a, "ที่ A", 2569)
    at_b = instances.start(ctx, ADMIN, "p", world.agency_a, "ที่ B", 2569)
    task = next(r for r in inbox.list_tasks(ctx, officer)[0] if r.instance_id == at_b)
    tasks.submit(ctx, officer, task.id, {"decision": "approve"})
    # v2 inserts C between A and B and renames B: the instance waiting at B cannot move
    v2 = _deploy(world, designer, V2.replace('<bpmn:userTask id="B" name="B">', '<bpmn:userTask id="B" name="B ใหม่">'),
                 "v2")
    preview = {c.instance_id: c for c in migration.preview(ctx, designer, v2.version_id)}
    assert preview[at_a].movable and not preview[at_b].movable
    assert "B: waiting here, changed in the new version" in preview[at_b].reasons
    with pytest.raises(Conflict):
        migration.migrate(ctx, designer, v2.version_id, [at_a, at_b])
    with ctx.uow(write=False) as uow:
        assert {i.version.version for i in uow.session.scalars(select(Instance))} == {1}  # nothing moved
    with pytest.raises(Forbidden):
        migration.migrate(ctx, officer, v2.version_id, [at_a])
    assert migration.migrate(ctx, designer, v2.version_id, [at_a]) == 1
    with ctx.uow(write=False) as uow:
        assert uow.session.get(Instance, at_a).version.version == 2
        assert uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "instance.migrate")).after == {
            "version": 2}
    # the moved instance takes the new path: A, then the new task C
    task = next(r for r in inbox.list_tasks(ctx, officer)[0] if r.instance_id == at_a)
    tasks.submit(ctx, officer, task.id, {"decision": "approve"})
    with ctx.uow(write=False) as uow:
        names = [t.bpmn_id for t in uow.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == at_a, HumanTask.status == "open"))]
    assert names == ["C"]


def test_version_comparison_lists_every_changed_property_with_both_values(world):
    ctx, designer = world.ctx, world.actor("designer")
    draft_id = design.new_draft(ctx, designer, version_id=world.deployed.version_id)
    draft = design.get_draft(ctx, designer, draft_id)
    [(name, xml)] = draft.files.items()
    root = etree.fromstring(xml.encode())
    task = next(t for t in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask"))
    instructions = task.find(".//{http://spiffworkflow.org/bpmn/schema/1.0/core}instructionsForEndUser")
    if instructions is None:
        ext = task.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements")
        instructions = etree.SubElement(ext, "{http://spiffworkflow.org/bpmn/schema/1.0/core}instructionsForEndUser")
    before = instructions.text or ""
    instructions.text = "แนบสำเนาบัตรประชาชนทุกครั้ง"
    task.set("name", "ตรวจเอกสารและสำเนา")
    design.save_draft(ctx, designer, draft_id, {name: etree.tostring(root, encoding="unicode")}, draft.forms,
                      draft.examples)
    result = design.deploy_draft(ctx, designer, draft_id, "คำแนะนำใหม่")
    [changed] = [c for c in design.diff(ctx, designer, result.version_id)["changed"] if c[0] == task.get("id")]
    props = {key: (old, new) for key, old, new in changed[3]}
    assert props["instructions"] == (before, "แนบสำเนาบัตรประชาชนทุกครั้ง")
    assert props["name"][1] == "ตรวจเอกสารและสำเนา"
