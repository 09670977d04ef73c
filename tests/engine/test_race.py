"""Many threads submit the same task at once: exactly one succeeds, the others get Conflict."""
from __future__ import annotations

import threading

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
