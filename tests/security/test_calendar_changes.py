"""Calendar changes never fail: saving a holiday or a reporting date answers at once (never a 500, even
with workflows waiting inside called stages); the due dates move in the scheduler's queued job, which
resumes after a crash and turns a broken instance into an incident without stopping the others."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import time_machine
from sqlalchemy import select, update

from engine.models import Deadline, Incident, Instance, RecomputeJob
from engine.services import calendars, instances, operations, recompute
from tests.conftest import ADMIN
from tests.web.conftest import csrf_token, login
from tests.workflows.test_sla_paths import MAR_2, START, deploy_all, stage1, to_published
from tests.workflows.walker import Walker

BKK = timezone(timedelta(hours=7))


def _start(world, service):
    with time_machine.travel(START, tick=False):
        return Walker(world, instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, service, 2569))


def _waiting_in_every_stage(world):
    """Four workflows: in stage 1 (FY 2570), and of FY 2569 in stages 2 and 4, waiting for the 6-month
    round (stage 3) and writing the 6-month report."""
    deploy_all(world.ctx)
    in_stage2 = _start(world, "บริการที่ 2")
    with time_machine.travel(START, tick=False):
        stage1(in_stage2)
    waiting_round = _start(world, "บริการที่ 3")
    to_published(waiting_round)
    reporting = _start(world, "บริการที่ 4")
    to_published(reporting)
    with time_machine.travel(MAR_2, tick=False):
        recompute.run_queued(world.ctx)
        from engine.services.timers import sweep

        sweep(world.ctx)  # the 6-month round opens for the two published SLAs
        # preparing next year's SLA early: its stage-1 timer is 31 January 2027
        in_stage1 = Walker(world, instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, "บริการที่ 1",
                                                  2570))
        in_stage1.do("select_process", "officer.a", form="sla/select_process")
    return {"stage1": in_stage1.iid, "stage2": in_stage2.iid, "round": waiting_round.iid, "report": reporting.iid}


def _pending(ctx, iid) -> dict[str, datetime]:
    with ctx.uow(write=False) as uow:
        return {d.bpmn_id: d.due_at for d in uow.session.scalars(select(Deadline).where(
            Deadline.instance_id == iid, Deadline.kind == "timer", Deadline.status == "pending"))}


def _end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=BKK).astimezone(timezone.utc)


def test_saving_the_calendars_with_workflows_inside_every_stage(app, world):
    ids = _waiting_in_every_stage(world)
    before = {k: _pending(world.ctx, iid) for k, iid in ids.items()}
    assert all(before.values()), before  # each waits on a calendar timer
    central, admin = app.test_client(), app.test_client()
    with time_machine.travel(MAR_2 + timedelta(hours=1), tick=False):
        login(central, "central")
        login(admin, "admin")
        token = csrf_token(central, "/reporting-calendar?fy=2569")
        r = central.post("/reporting-calendar?fy=2569", data={
            "csrf_token": token, "calendar": "sla_kpi", "fy": "2569", "forms_a_e": "2026-01-20",
            "plan_sla_photo": "2026-03-20", "report_6": "2026-03-27"})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        r = central.post("/reporting-calendar?fy=2570", data={
            "csrf_token": token, "calendar": "sla_kpi", "fy": "2570", "forms_a_e": "2027-01-20"})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        token = csrf_token(admin, "/calendar?year=2026")
        r = admin.post("/calendar?year=2026", data={"csrf_token": token, "action": "holiday", "day": "2026-03-27",
                                                    "reason": "วันหยุดราชการเพิ่มเติม"})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        assert {k: _pending(world.ctx, iid) for k, iid in ids.items()} == before  # nothing moved in the request
        with world.ctx.uow(write=False) as uow:
            assert [j.status for j in uow.session.scalars(select(RecomputeJob))] == ["queued"]  # one job for both
        [job_id] = recompute.run_queued(world.ctx)
        page = central.get("/operations").get_data(as_text=True)
        assert 'data-testid="recomputes"' in page and "reporting calendar sla_kpi 2569" in page
    after = {k: _pending(world.ctx, iid) for k, iid in ids.items()}
    assert _end_of(date(2027, 1, 20)) in after["stage1"].values()
    assert _end_of(date(2026, 3, 20)) in after["stage2"].values()
    # 27 March became a holiday: the 6-month report is due the working day before, Thursday 26 March
    assert _end_of(date(2026, 3, 26)) in after["report"].values()
    with world.ctx.uow(write=False) as uow:
        job = uow.session.get(RecomputeJob, job_id)
        assert (job.status, job.failed, job.handled) == ("done", 0, job.total) and job.changed >= 3


def test_a_broken_instance_is_an_incident_and_the_others_still_move(app, world):
    ids = _waiting_in_every_stage(world)
    with world.ctx.uow() as uow:  # the stored state of one workflow is damaged
        uow.session.execute(update(Instance).where(Instance.id == ids["stage2"]).values(state="{not json"))
        uow.commit()
    with time_machine.travel(MAR_2 + timedelta(hours=1), tick=False):
        calendars.set_milestones(world.ctx, world.actor("central"), 2569, {"report_6": date(2026, 3, 27)}, "sla_kpi")
        calendars.set_milestones(world.ctx, world.actor("central"), 2570, {"forms_a_e": date(2027, 1, 20)},
                                 "sla_kpi")
        [job_id] = recompute.run_queued(world.ctx)
    assert _end_of(date(2027, 1, 20)) in _pending(world.ctx, ids["stage1"]).values()
    assert _end_of(date(2026, 3, 27)) in _pending(world.ctx, ids["report"]).values()
    with world.ctx.uow(write=False) as uow:
        job = uow.session.get(RecomputeJob, job_id)
        assert (job.status, job.failed) == ("done", 1)
        incident = uow.session.scalar(select(Incident).where(Incident.kind == "recompute_failed"))
        assert incident.instance_id == ids["stage2"] and "calendar" in incident.message
    operations.retry(world.ctx, world.actor("central"), incident.id)  # the operator's retry queues it again
    with world.ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(RecomputeJob).where(RecomputeJob.status == "queued")) is not None


def test_a_job_whose_scheduler_died_is_taken_up_where_it_stopped(world):
    ids = _waiting_in_every_stage(world)
    first = min(ids.values())
    with time_machine.travel(MAR_2 + timedelta(hours=1), tick=False):
        calendars.set_milestones(world.ctx, world.actor("central"), 2569, {"plan_sla_photo": date(2026, 3, 20)},
                                 "sla_kpi")
        calendars.set_milestones(world.ctx, world.actor("central"), 2570, {"forms_a_e": date(2027, 1, 20)},
                                 "sla_kpi")
        with world.ctx.uow() as uow:  # it had done the first instance when its process was killed
            job = uow.session.scalar(select(RecomputeJob))
            job.status, job.cursor, job.handled, job.total, job.heartbeat_at = "running", first, 1, len(ids), MAR_2
            uow.commit()
        assert recompute.run_queued(world.ctx) == [job.id]  # its heartbeat is an hour old
    with world.ctx.uow(write=False) as uow:
        job = uow.session.get(RecomputeJob, job.id)
        assert job.status == "done" and job.handled == job.total == len(ids)
    # the first instance (stage 2) was not gone over again: its timer keeps the old date; the rest moved
    assert first == ids["stage2"] and _end_of(date(2026, 3, 20)) not in _pending(world.ctx, first).values()
    assert _end_of(date(2027, 1, 20)) in _pending(world.ctx, ids["stage1"]).values()


def test_a_running_job_with_a_live_scheduler_is_left_alone(world):
    with world.ctx.uow() as uow:
        uow.session.add(RecomputeJob(reason="x", status="running", cursor=0, total=0, handled=0, changed=0,
                                     failed=0, heartbeat_at=datetime.now(timezone.utc)))
        uow.commit()
    assert recompute.run_queued(world.ctx) == []
