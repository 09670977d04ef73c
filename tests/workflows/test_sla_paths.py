"""Path tests through the SLA lifecycle and the FY 2566 KPI workflow, with frozen time and a save/reload
round trip at every step."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import Forbidden
from engine.models import Deadline, Document, HumanTask, Notification, Submission
from engine.services import deploy, instances, tasks
from tests.conftest import ADMIN, DESIGNER
from tests.workflows.walker import Walker, example

BKK = timezone.utc
START = datetime(2025, 10, 6, 2, 0, tzinfo=BKK)           # FY 2569 begins
MAR_2 = datetime(2026, 3, 2, 2, 0, tzinfo=BKK)             # the 6-month round is open
APR_20 = datetime(2026, 4, 20, 2, 0, tzinfo=BKK)           # after the 6-month due date (31 Mar)
JUN_2 = datetime(2026, 6, 2, 2, 0, tzinfo=BKK)
SEP_2 = datetime(2026, 9, 2, 2, 0, tzinfo=BKK)
OCT_20 = datetime(2026, 10, 20, 2, 0, tzinfo=BKK)


def deploy_all(ctx):
    from engine.services.deploy import folder_bundles as bpmn_bundles

    for files in bpmn_bundles(ctx.settings.bpmn_dir).values():
        deploy.deploy(ctx, files, DESIGNER)


@pytest.fixture
def sla(world):
    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        iid = instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, "การชำระภาษีรถประจำปี", 2569)
    return Walker(world, iid)


def stage1(w: Walker, decisions=("approve",)):
    w.do("select_process", "officer.a", form="sla/select_process")
    for d in decisions:
        w.do("stage1_targets", "officer.a", form="sla/stage1")
        w.review("review_stage1", "supervisor.a", d, "" if d == "approve" else f"แก้ไขรอบที่ {w.steps}")


def to_published(w: Walker):
    """Stages 1 and 2 approved and the SLA published (stage 4 left open)."""
    with time_machine.travel(START, tick=False):
        stage1(w)
        w.do("stage2_sla", "officer.a", form="sla/stage2")
        w.review("review_stage2", "supervisor.a", "approve")
        w.do("publish_sla", "officer.a", form="sla/publish")
        w.review("review_publish", "supervisor.a", "approve")


def test_happy_path_through_every_stage(sla):
    w = sla
    with time_machine.travel(START, tick=False):
        stage1(w)
        assert set(w.open_tasks()) == {"stage2_sla", "change_management"}  # stage 4 runs alongside 2 and 3
        w.do("stage2_sla", "officer.a", form="sla/stage2")
        w.review("review_stage2", "supervisor.a", "approve")
        w.do("change_management", "officer.a", form="sla/change_management")
        w.review("review_stage4", "supervisor.a", "approve")
        w.do("publish_sla", "officer.a", form="sla/publish")
        w.review("review_publish", "supervisor.a", "approve")
        assert w.open_tasks() == {}  # waiting for the 6-month round to open
    with w.ctx.uow(write=False) as uow:
        doc = uow.session.scalar(select(Document).where(Document.instance_id == w.iid, Document.kind == "sla"))
    assert "ข้อตกลงระดับการให้บริการ" in doc.title and "พ.ศ. 2569" in doc.body and "1584" in doc.body
    for when, months in ((MAR_2, 6), (JUN_2, 9), (SEP_2, 12)):
        traveller = w.at(when)
        try:
            form = "sla/report_12m" if months == 12 else "sla/report"
            w.do(f"report_{months}m", "officer.a", form=form)
            w.review(f"review_report{months}", "supervisor.a", "approve")
        finally:
            traveller.stop()
    assert set(w.open_tasks()) == {"central_evaluation"}
    with time_machine.travel(OCT_20, tick=False):
        w.do("central_evaluation", "central", form="sla/evaluation")
    assert w.status() == "completed"
    with w.ctx.uow(write=False) as uow:
        # nothing was late: no late notification, and no timer left pending
        assert uow.session.scalar(select(Notification).where(Notification.kind == "report_late")) is None
        assert uow.session.scalar(select(Deadline).where(Deadline.instance_id == w.iid,
                                                         Deadline.status == "pending")) is None


def test_sent_back_twice_shows_the_comment_and_keeps_every_round(sla):
    w = sla
    with time_machine.travel(START, tick=False):
        w.do("select_process", "officer.a", form="sla/select_process")
        for round_no in (1, 2):
            w.do("stage1_targets", "officer.a", form="sla/stage1")
            w.review("review_stage1", "supervisor.a", "send_back", f"ความเห็นรอบ {round_no}")
            data = w.workflow_data("stage1_targets")
            assert data["returned_comment"] == f"ความเห็นรอบ {round_no}"
            assert data["stage1_rounds"] == round_no
        w.do("stage1_targets", "officer.a", form="sla/stage1")
        w.review("review_stage1", "supervisor.a", "approve")
        assert w.workflow_data("stage2_sla")["returned_comment"] == ""
    with w.ctx.uow(write=False) as uow:
        rounds = uow.session.scalars(select(Submission).where(Submission.instance_id == w.iid,
                                                              Submission.bpmn_id == "review_stage1")).all()
    assert [r.data["decision"] for r in rounds] == ["send_back", "send_back", "approve"]


def test_send_back_cap_escalates_to_the_agency_head(world):
    world.ctx.settings = world.ctx.settings.replace(revision_cap=2)
    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        iid = instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, "บริการที่ถูกส่งกลับบ่อย", 2569)
        w = Walker(world, iid)
        stage1(w, decisions=("send_back", "send_back"))
        assert set(w.open_tasks()) == {"escalate_stage1"}
        assert w.open_tasks()["escalate_stage1"].role == "head"
        for outsider in ("central", "supervisor.a"):  # the agency's own head decides, nobody else
            with pytest.raises(Forbidden):
                tasks.claim(world.ctx, world.actor(outsider), w.open_tasks()["escalate_stage1"].id)
        w.do("escalate_stage1", "head.a", {"decision": "return", "comment": "แก้ไขค่าเป้าหมายอีกครั้ง"})
        assert w.workflow_data("stage1_targets")["returned_comment"] == "แก้ไขค่าเป้าหมายอีกครั้ง"
        w.do("stage1_targets", "officer.a", form="sla/stage1")
        w.review("review_stage1", "supervisor.a", "send_back", "ยังไม่ครบ")
        w.do("escalate_stage1", "head.a", {"decision": "approve", "comment": "อนุมัติ"})
        assert set(w.open_tasks()) == {"stage2_sla", "change_management"}


def test_late_report_is_marked_and_the_supervisor_told(sla):
    w = sla
    to_published(w)
    traveller = w.at(MAR_2)
    try:
        report = w.open_tasks()["report_6m"]
        # seed 000: the 6-month progress report within the 6-month round: 31 Mar 23:59:59 Bangkok
        assert report.due_at == datetime(2026, 3, 31, 16, 59, 59, tzinfo=timezone.utc)
    finally:
        traveller.stop()
    traveller = w.at(APR_20)  # nobody reported by the due date
    try:
        assert "report_6m" in w.open_tasks()  # still open: a late report is still a report
        with w.ctx.uow(write=False) as uow:
            notes = uow.session.scalars(select(Notification).where(Notification.kind == "report_late")).all()
            due = uow.session.scalar(select(Deadline).where(Deadline.instance_id == w.iid,
                                                            Deadline.bpmn_id == "due_6"))
        assert [n.user_id for n in notes] == [w.world.actor("supervisor.a").user_id]
        assert due.status == "fired"
        w.do("report_6m", "officer.a", form="sla/report")
        assert "review_report6" in w.open_tasks()
    finally:
        traveller.stop()


def test_final_report_needs_two_evidence_files_per_indicator(sla):
    from engine.errors import FormInvalid
    from engine.services import tasks

    w = sla
    to_published(w)
    for when, months in ((MAR_2, 6), (JUN_2, 9)):
        traveller = w.at(when)
        w.do(f"report_{months}m", "officer.a", form="sla/report")
        w.review(f"review_report{months}", "supervisor.a", "approve")
        traveller.stop()
    traveller = w.at(SEP_2)
    try:
        data = w.with_files("officer.a", example("sla/report_12m"))
        data["indicators"][0]["evidence"] = data["indicators"][0]["evidence"][:1]
        task = w.open_tasks()["report_12m"]
        with pytest.raises(FormInvalid) as info:
            tasks.submit(w.ctx, w.world.actor("officer.a"), task.id, data)
        assert "indicators.0.evidence" in info.value.errors
        # a file of another instance cannot be passed off as evidence
        other = instances.start(w.ctx, ADMIN, "sla_lifecycle", w.world.agency_a, "บริการอื่น", 2569)
        foreign = Walker(w.world, other).upload("officer.a", "other.pdf")
        data = w.with_files("officer.a", example("sla/report_12m"))
        data["indicators"][0]["evidence"][0] = foreign
        with pytest.raises(FormInvalid) as info:
            tasks.submit(w.ctx, w.world.actor("officer.a"), task.id, data)
        assert "indicators.0.evidence.0" in info.value.errors
        w.do("report_12m", "officer.a", form="sla/report_12m")
        w.review("review_report12", "supervisor.a", "approve")
        w.do("change_management", "officer.a", form="sla/change_management")
        w.review("review_stage4", "supervisor.a", "approve")
        # the central office sees the computed average next to the reported one
        avg = w.workflow_data("central_evaluation")["final_progress"]
        assert avg == {"average": "100.00", "count": 2, "reported_success": 100}
    finally:
        traveller.stop()


def test_kpi_2566_two_rounds_with_a_late_first_round(world):
    deploy_all(world.ctx)
    with time_machine.travel(datetime(2022, 10, 3, tzinfo=timezone.utc), tick=False):
        iid = instances.start(world.ctx, ADMIN, "kpi_process_2566", world.agency_a, "การออกใบอนุญาต", 2566)
    w = Walker(world, iid)
    traveller = w.at(datetime(2023, 4, 12, 2, 0, tzinfo=timezone.utc))  # two days after the round-1 due date
    try:
        w.do("round1_report", "officer.a", form="kpi_2566/round1")
        w.review("review_round1", "supervisor.a", "send_back", "แนบแผนฉบับลงนาม")
        w.do("round1_report", "officer.a", form="kpi_2566/round1")
        w.review("review_round1", "supervisor.a", "approve")
        w.do("round2_report", "officer.a", form="kpi_2566/round2")
        w.review("review_round2", "supervisor.a", "approve")
        w.do("kpi_assessment", "evaluator.a", form="kpi_2566/assessment")
    finally:
        traveller.stop()
    assert w.status() == "completed"
    with w.ctx.uow(write=False) as uow:
        fired = uow.session.scalars(select(Deadline.bpmn_id).where(Deadline.instance_id == iid,
                                                                   Deadline.kind == "timer",
                                                                   Deadline.status == "fired")).all()
        round1 = uow.session.scalar(select(HumanTask).where(HumanTask.instance_id == iid,
                                                            HumanTask.bpmn_id == "round1_report")
                                    .order_by(HumanTask.id))
    assert fired == ["round1_due"]
    # due 10 Apr 2023 23:59 Bangkok, submitted 12 Apr 09:00: 2 calendar days late; 11–12 Apr are working days
    assert (round1.days_late, round1.working_days_late) == (2, 2)


def test_no_task_is_left_without_a_role(sla):
    with sla.ctx.uow(write=False) as uow:
        roles = set(uow.session.scalars(select(HumanTask.role)))
    assert roles <= {"officer", "supervisor", "head", "central"}


def _sla_made_in_2569(world, service):
    with time_machine.travel(START, tick=False):
        iid = instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, service, 2569)
        w = Walker(world, iid)
        stage1(w)
        w.do("stage2_sla", "officer.a", form="sla/stage2")
        w.review("review_stage2", "supervisor.a", "approve")
    return w


def test_next_year_keeps_last_years_sla_without_revising_stages_1_and_2(world):
    deploy_all(world.ctx)
    _sla_made_in_2569(world, "การชำระภาษีรถประจำปี")
    with time_machine.travel(OCT_20, tick=False):
        iid = instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, "การชำระภาษีรถประจำปี", 2570)
        w = Walker(world, iid)
        assert w.workflow_data("select_process")["earlier_fiscal_year"] == 2569
        w.do("select_process", "officer.a", form="sla/select_process")  # revise_sla: false
        # straight to publication (stage 3) and stage 4; stages 1 and 2 are skipped
        assert set(w.open_tasks()) == {"publish_sla", "change_management"}
        # the SLA keeps a version per fiscal year: last year's, continued in FY 2570
        with w.ctx.uow(write=False) as uow:
            docs = uow.session.execute(select(Document.title, Document.body, Document.instance_id)
                                       .where(Document.kind == "sla").order_by(Document.id)).all()
        assert len(docs) == 2 and docs[1].instance_id == iid
        assert "พ.ศ. 2570" in docs[1].body and "ใช้ต่อเนื่องจากข้อตกลงระดับการให้บริการปีงบประมาณ พ.ศ. 2569" in docs[1].body
        # the officer sees last year's plan and SLA beside the form
        from engine.services import task_page

        page = task_page.get(w.ctx, world.actor("officer.a"), w.open_tasks()["publish_sla"].id)
        last_year = {r.bpmn_id: r.fiscal_year for r in page.references if r.fiscal_year}
        assert last_year.get("stage2_sla") == 2569 and last_year.get("stage1_targets") == 2569


def test_next_year_may_revise_stages_1_and_2_and_a_new_process_always_does(world):
    deploy_all(world.ctx)
    _sla_made_in_2569(world, "การชำระภาษีรถประจำปี")
    with time_machine.travel(OCT_20, tick=False):
        revised = Walker(world, instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a,
                                                "การชำระภาษีรถประจำปี", 2570))
        revised.do("select_process", "officer.a", dict(example("sla/select_process"), revise_sla=True))
        assert set(revised.open_tasks()) == {"stage1_targets"}
        new = Walker(world, instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, "บริการใหม่", 2570))
        assert new.workflow_data("select_process")["earlier_fiscal_year"] == 0
        new.do("select_process", "officer.a", form="sla/select_process")  # revise_sla false, but no SLA yet
        assert set(new.open_tasks()) == {"stage1_targets"}
        new.do("stage1_targets", "officer.a", form="sla/stage1")
        new.review("review_stage1", "supervisor.a", "approve")
        assert set(new.open_tasks()) == {"stage2_sla", "change_management"}
