"""Many threads submit the same task at once: exactly one succeeds, the others get Conflict."""
from __future__ import annotations

import threading

import time_machine
from sqlalchemy import func, select

from engine.errors import Conflict
from engine.models import AuditEvent, HumanTask, Instance
from engine.services import inbox, instances, tasks
from tests.conftest import ADMIN, REVIEW, SELECT_OK

THREADS = 8


def test_concurrent_submits_one_wins(any_world):
    ctx, w = any_world.ctx, any_world
    iid = instances.start(ctx, ADMIN, REVIEW, w.agency_a, "บริการแข่งกัน", 2569)
    rows, _ = inbox.list_tasks(ctx, w.actor("officer.a"))
    task_id = next(r.id for r in rows if r.instance_id == iid)
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def worker(i):
        actor = w.actor("officer.a" if i % 2 else "officer.a2")
        barrier.wait()
        try:
            tasks.submit(ctx, actor, task_id, dict(SELECT_OK, process_name=f"ผู้ส่งที่ {i}"))
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # anything else is a failure of the test
            outcome = f"error: {type(exc).__name__}: {exc}"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["conflict"] * (THREADS - 1) + ["ok"], results
    with ctx.uow(write=False) as uow:
        s = uow.session
        assert s.get(HumanTask, task_id).status == "completed"
        submits = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.instance_id == iid, AuditEvent.action == "task.submit"))
        assert submits == 1
        open_tasks = s.scalars(select(HumanTask).where(HumanTask.instance_id == iid,
                                                       HumanTask.status == "open")).all()
        assert [t.bpmn_id for t in open_tasks] == ["stage1_targets"]
        assert s.get(Instance, iid).status == "running"


def test_parallel_branches_submitted_at_once(any_world):
    """Stage 2 and stage 4 run side by side: two officers submitting one each at the same moment both
    succeed (the second waits for the first and saves on top of it), and every derived row is right."""
    from tests.workflows.test_sla_paths import START, deploy_all, stage1
    from tests.workflows.walker import Walker, example

    ctx, w = any_world.ctx, any_world
    deploy_all(ctx)
    with time_machine.travel(START, tick=False):
        walker = Walker(w, instances.start(ctx, ADMIN, "sla_lifecycle", w.agency_a, "บริการคู่ขนาน", 2569))
        stage1(walker)
        open_ = walker.open_tasks()
        jobs = [("officer.a", open_["stage2_sla"].id, walker.with_files("officer.a", example("sla/stage2"))),
                ("officer.a2", open_["change_management"].id,
                 walker.with_files("officer.a2", example("sla/change_management")))]
        barrier = threading.Barrier(len(jobs))
        results: list[str] = []

        def worker(who, task_id, data):
            barrier.wait()
            try:
                tasks.submit(ctx, w.actor(who), task_id, data)
                results.append("ok")
            except Exception as exc:
                results.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=worker, args=job) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert results == ["ok", "ok"], results
    assert set(walker.open_tasks()) == {"review_stage2", "review_stage4"}
    walker.check_round_trip()  # and the open task and timer rows are those of the saved state
    with ctx.uow(write=False) as uow:
        done = uow.session.scalars(select(HumanTask.bpmn_id).where(
            HumanTask.instance_id == walker.iid, HumanTask.status == "completed")).all()
    assert {"stage2_sla", "change_management"} <= set(done)
