"""Use cases on SQLite and PostgreSQL: deploy, start, tasks, drafts, submit, cancel, audit, round trips."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from engine.errors import Conflict, Forbidden, FormInvalid, InvalidInput, NotFound, ScriptError
from engine.models import AuditEvent, HumanTask, Incident, Instance, ProcessVersion
from engine.services import deploy, inbox, instances, task_page, tasks
from tests.bpmn_factory import one_task, simple
from tests.conftest import ADMIN, DESIGNER, REVIEW, REVIEW_BPMN, SELECT_OK, STAGE1_OK


def start_sla(world, agency=None, name="การชำระภาษีรถประจำปี", fy=2569):
    return instances.start(world.ctx, ADMIN, REVIEW, agency or world.agency_a, name, fy)


def open_task(world, actor_name, instance_id):
    rows, _ = inbox.list_tasks(world.ctx, world.actor(actor_name))
    return next(r for r in rows if r.instance_id == instance_id)


def test_deploy_is_versioned_and_idempotent(any_world):
    ctx = any_world.ctx
    assert any_world.deployed.version == 1 and any_world.deployed.created
    again = deploy.deploy(ctx, {"review_cycle.bpmn": REVIEW_BPMN.read_bytes()}, DESIGNER)
    assert (again.version, again.created) == (1, False)
    changed = REVIEW_BPMN.read_text().replace("พิจารณาขั้นที่ 1", "พิจารณาขั้นที่ 1 (ปรับปรุง)")
    v2 = deploy.deploy(ctx, {"review_cycle.bpmn": changed.encode()}, DESIGNER, note="rename")
    assert (v2.version, v2.created) == (2, True)
    with ctx.uow(write=False) as uow:
        versions = uow.session.scalars(select(ProcessVersion).order_by(ProcessVersion.version)).all()
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].content_hash != versions[1].content_hash
        assert "sla/stage1.schema.json" in versions[0].forms


def test_only_designers_deploy(world):
    with pytest.raises(Forbidden):
        deploy.deploy(world.ctx, {"x.bpmn": REVIEW_BPMN.read_bytes()}, world.actor("officer.a"))


def test_instance_state_does_not_embed_the_spec(world):
    iid = start_sla(world)
    with world.ctx.uow(write=False) as uow:
        inst = uow.session.get(Instance, iid)
        assert '"spec"' not in inst.state and '"subprocess_specs"' not in inst.state
        assert inst.status == "running"


def test_one_instance_per_agency_process_and_year(any_world):
    start_sla(any_world)
    with pytest.raises(Conflict):
        start_sla(any_world)
    start_sla(any_world, fy=2570)
    start_sla(any_world, agency=any_world.agency_b)
    with pytest.raises(InvalidInput):
        start_sla(any_world, name="  ")


def test_happy_path_with_send_back_and_approval(any_world):
    ctx, w = any_world.ctx, any_world
    iid = start_sla(w)
    t = open_task(w, "officer.a", iid)
    assert t.name.startswith("เลือกกระบวนงาน") and t.role == "officer"
    tasks.claim(ctx, w.actor("officer.a"), t.id)
    tasks.submit(ctx, w.actor("officer.a"), t.id, SELECT_OK)
    t = open_task(w, "officer.a", iid)
    tasks.submit(ctx, w.actor("officer.a"), t.id, STAGE1_OK)
    # the supervisor reviews; officers do not see the review task
    rows, _ = inbox.list_tasks(ctx, w.actor("officer.a"))
    assert all(r.instance_id != iid for r in rows)
    review = open_task(w, "supervisor.a", iid)
    with pytest.raises(FormInvalid) as info:
        tasks.submit(ctx, w.actor("supervisor.a"), review.id, {"decision": "send_back"})
    assert "comment" in info.value.errors
    tasks.submit(ctx, w.actor("supervisor.a"), review.id, {"decision": "send_back", "comment": "เพิ่มค่าเป้าหมาย"})
    again = open_task(w, "officer.a", iid)
    assert again.name.startswith("ขั้นที่ 1")
    tasks.submit(ctx, w.actor("officer.a"), again.id, STAGE1_OK)
    review = open_task(w, "supervisor.a", iid)
    tasks.submit(ctx, w.actor("supervisor.a"), review.id, {"decision": "approve"})
    with ctx.uow(write=False) as uow:
        s = uow.session
        assert s.get(Instance, iid).status == "completed"
        assert s.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.instance_id == iid,
                                                                          HumanTask.status == "open")) == 0
        actions = [a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.instance_id == iid)
                                           .order_by(AuditEvent.id))]
    assert actions == ["instance.start", "task.claim", "task.submit", "task.submit", "task.submit",
                       "task.submit", "task.submit"]


def test_invalid_submit_changes_nothing(any_world):
    ctx, w = any_world.ctx, any_world
    iid = start_sla(w)
    t = open_task(w, "officer.a", iid)
    with ctx.uow(write=False) as uow:
        before = uow.session.get(Instance, iid).state
        audits = uow.session.scalar(select(func.count()).select_from(AuditEvent))
    bad = dict(SELECT_OK, criteria=["bribery"], yearly_volume=-5)
    with pytest.raises(FormInvalid) as info:
        tasks.submit(ctx, w.actor("officer.a"), t.id, bad)
    assert set(info.value.errors) == {"criteria.0", "yearly_volume"}
    assert all(msg for msgs in info.value.errors.values() for msg in msgs)
    with ctx.uow(write=False) as uow:
        assert uow.session.get(Instance, iid).state == before
        assert uow.session.get(HumanTask, t.id).status == "open"
        assert uow.session.get(HumanTask, t.id).assignee_id is None
        assert uow.session.scalar(select(func.count()).select_from(AuditEvent)) == audits


def test_access_across_agencies_and_roles(world):
    ctx, w = world.ctx, world
    iid = start_sla(w)
    t = open_task(w, "officer.a", iid)
    for other in ("officer.b", "supervisor.b"):
        with pytest.raises(NotFound):
            task_page.get(ctx, w.actor(other), t.id)
        with pytest.raises(NotFound):
            tasks.claim(ctx, w.actor(other), t.id)
        with pytest.raises(NotFound):
            tasks.submit(ctx, w.actor(other), t.id, SELECT_OK)
    with pytest.raises(Forbidden):
        tasks.claim(ctx, w.actor("supervisor.a"), t.id)
    with pytest.raises(NotFound):
        task_page.get(ctx, w.actor("officer.a"), 999999)
    assert task_page.get(ctx, w.actor("central"), t.id).id == t.id


def test_claim_unclaim_and_drafts(world):
    ctx, w = world.ctx, world
    iid = start_sla(w)
    t = open_task(w, "officer.a", iid)
    tasks.claim(ctx, w.actor("officer.a"), t.id)
    with pytest.raises(Conflict):
        tasks.claim(ctx, w.actor("officer.a2"), t.id)
    assert all(r.id != t.id for r in inbox.list_tasks(ctx, w.actor("officer.a2"))[0])
    tasks.save_draft(ctx, w.actor("officer.a"), t.id, {"process_name": "ร่าง"})
    assert task_page.get(ctx, w.actor("officer.a"), t.id).data == {"process_name": "ร่าง"}
    with pytest.raises(Conflict):
        tasks.save_draft(ctx, w.actor("officer.a2"), t.id, {"process_name": "แย่ง"})
    tasks.unclaim(ctx, w.actor("officer.a"), t.id)
    assert any(r.id == t.id for r in inbox.list_tasks(ctx, w.actor("officer.a2"))[0])
    tasks.submit(ctx, w.actor("officer.a2"), t.id, SELECT_OK)
    with pytest.raises(Conflict):
        tasks.submit(ctx, w.actor("officer.a2"), t.id, SELECT_OK)


def test_cancel_instance(any_world):
    ctx, w = any_world.ctx, any_world
    iid = start_sla(w)
    with pytest.raises(Forbidden):
        instances.cancel(ctx, w.actor("officer.a"), iid, "ไม่ใช้แล้ว")
    with pytest.raises(NotFound):
        instances.cancel(ctx, w.actor("supervisor.b"), iid, "ไม่ใช้แล้ว")
    with pytest.raises(InvalidInput):
        instances.cancel(ctx, w.actor("supervisor.a"), iid, "")
    instances.cancel(ctx, w.actor("supervisor.a"), iid, "เปลี่ยนกระบวนงาน")
    with ctx.uow(write=False) as uow:
        assert uow.session.get(Instance, iid).status == "cancelled"
        assert uow.session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == iid, HumanTask.status == "open")) == 0
    assert inbox.list_tasks(ctx, w.actor("officer.a")) == ([], 0)
    with pytest.raises(Conflict):
        instances.cancel(ctx, w.actor("supervisor.a"), iid, "อีกครั้ง")


def test_audit_is_append_only(any_world):
    ctx = any_world.ctx
    start_sla(any_world)
    with ctx.uow() as uow:
        ev = uow.session.scalars(select(AuditEvent)).first()
        ev.comment = "tampered"
        with pytest.raises(Exception):
            uow.flush()
    with pytest.raises(Exception):
        with ctx.db.begin() as conn:
            conn.execute(text("UPDATE audit_event SET comment = 'tampered'"))
    with pytest.raises(Exception):
        with ctx.db.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))


def test_gateway_without_a_true_path_is_a_typed_error_and_stores_nothing(world):
    ctx = world.ctx
    body = ('<bpmn:exclusiveGateway id="gw"><bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_end</bpmn:outgoing>'
            '</bpmn:exclusiveGateway>')
    xml = simple(body, "gw", "gw").replace(
        '<bpmn:sequenceFlow id="f_end" sourceRef="gw" targetRef="end">',
        '<bpmn:sequenceFlow id="f_end" sourceRef="gw" targetRef="end"><bpmn:conditionExpression '
        'xsi:type="bpmn:tFormalExpression">fiscal_year == 1</bpmn:conditionExpression>')
    deploy.deploy(ctx, {"g.bpmn": xml.encode()}, DESIGNER)
    with pytest.raises(ScriptError) as info:
        instances.start(ctx, ADMIN, "p", world.agency_a, "บริการ", 2569)
    assert "gw" in info.value.message
    with ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Instance)) == 0


def test_stalled_instance_becomes_an_incident_once(world):
    """Not finished, no ready task, no pending timer: the instance is marked stalled and an incident opened."""
    from SpiffWorkflow.util.task import TaskState

    from engine.models import utcnow
    from engine.services.state import load_instance, load_workflow, save_workflow

    ctx = world.ctx
    iid = start_sla(world)
    for _ in range(2):  # saving a stalled instance again opens no second incident
        with ctx.uow() as uow:
            inst = load_instance(uow.session, iid)
            wf = load_workflow(ctx, inst)
            for task in wf.get_tasks(state=TaskState.READY, manual=True):
                task._set_state(TaskState.ERROR)  # e.g. a task left in error by a failed handler
            save_workflow(uow.session, ctx, inst, wf, utcnow())
            uow.commit()
    with ctx.uow(write=False) as uow:
        assert uow.session.get(Instance, iid).status == "stalled"
        incidents = uow.session.scalars(select(Incident).where(Incident.instance_id == iid)).all()
        assert [i.kind for i in incidents] == ["stalled"]
        assert uow.session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == iid, HumanTask.status == "open")) == 0


@pytest.mark.parametrize("path", ["approve_first", "send_back_twice"])
def test_every_step_survives_a_save_reload_round_trip(world, path):
    """Each step is done on a freshly deserialized workflow; reloading gives the same state back."""
    ctx, w = world.ctx, world
    iid = start_sla(w)
    decisions = ["approve"] if path == "approve_first" else ["send_back", "send_back", "approve"]
    steps = [("officer.a", SELECT_OK)]
    for d in decisions:
        steps += [("officer.a", STAGE1_OK), ("supervisor.a", {"decision": d, "comment": "ความเห็น"})]
    for who, data in steps:
        with ctx.uow(write=False) as uow:
            inst = uow.session.get(Instance, iid)
            wf = ctx.runtime.load(inst.state, *ctx.runtime.specs.get(inst.version.id, inst.version.spec_json))
            assert ctx.runtime.dump(wf) == inst.state
        t = open_task(w, who, iid)
        tasks.submit(ctx, w.actor(who), t.id, data)
    with ctx.uow(write=False) as uow:
        assert uow.session.get(Instance, iid).status == "completed"


def test_dates_and_decimals_survive_serialization(world):
    from datetime import date
    from decimal import Decimal

    ctx = world.ctx
    deploy.deploy(ctx, {"o.bpmn": one_task().encode()}, DESIGNER)
    iid = instances.start(ctx, ADMIN, "p", world.agency_a, "บริการ", 2569,
                          data={"due": date(2026, 4, 10), "score": Decimal("3.50")})
    with ctx.uow(write=False) as uow:
        inst = uow.session.get(Instance, iid)
        wf = ctx.runtime.load(inst.state, *ctx.runtime.specs.get(inst.version.id, inst.version.spec_json))
    task = wf.get_tasks(manual=True)[0]
    assert task.data["due"] == date(2026, 4, 10) and task.data["score"] == Decimal("3.50")


def test_oversized_task_data_is_refused_and_changes_nothing(world):
    ctx, w = world.ctx, world
    iid = start_sla(w)
    t = open_task(w, "officer.a", iid)
    huge = dict(SELECT_OK, current_state="ก" * 2_000_000)
    with pytest.raises(InvalidInput):
        tasks.submit(ctx, w.actor("officer.a"), t.id, huge)
    with pytest.raises(InvalidInput):
        tasks.save_draft(ctx, w.actor("officer.a"), t.id, huge)
    with ctx.uow(write=False) as uow:
        task = uow.session.get(HumanTask, t.id)
        assert task.status == "open" and task.draft is None and task.assignee_id is None
