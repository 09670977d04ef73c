"""Deadline engine benchmarks: a sweep over a table of a million future deadlines, and the rate of
firing ten thousand due reminders. Printed, with the baseline of an empty table from the same run."""
from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from engine.models import Deadline, HumanTask, Instance, utcnow
from engine.services import instances, timers
from tests.bench.targets import check
from tests.conftest import ADMIN, REVIEW, World, make_ctx

pytestmark = pytest.mark.bench


def _sweep_ms(ctx, rounds=30):
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = timers.sweep(ctx)
        samples.append((time.perf_counter() - t0) * 1000)
        assert result.fired == result.notices == 0
    return statistics.median(samples)


def test_sweep_with_a_million_future_deadlines(tmp_path):
    ctx = make_ctx(tmp_path)
    world = World(ctx)
    iid = instances.start(ctx, ADMIN, REVIEW, world.agency_a, "บริการ", 2569)
    empty = _sweep_ms(ctx)
    now = utcnow()
    with ctx.db.begin() as conn:
        for chunk in range(100):
            conn.execute(insert(Deadline), [
                dict(instance_id=iid, spiff_task_id=f"f{chunk}-{n}", bpmn_id="due", kind="reminder",
                     due_at=now + timedelta(minutes=1 + chunk * 10_000 + n), status="pending", attempts=0,
                     last_error="", expression="") for n in range(10_000)])
        conn.exec_driver_sql("ANALYZE")
    full = _sweep_ms(ctx)
    print(f"\nSweep (file SQLite): empty table p50 {empty:.2f} ms; 1,000,000 future deadlines p50 {full:.2f} ms "
          f"({full / empty:.2f}x)")
    check("sweep at 1,000,000 deadlines p50", full, 50, " ms")


def test_firing_ten_thousand_due_reminders(tmp_path):
    ctx = make_ctx(tmp_path)
    world = World(ctx)
    iid = instances.start(ctx, ADMIN, REVIEW, world.agency_a, "บริการ", 2569)
    now = utcnow()
    with ctx.uow() as uow:
        s = uow.session
        task = s.scalar(select(HumanTask).where(HumanTask.instance_id == iid))
        task.due_at = now + timedelta(days=3)
        uow.commit()
    with ctx.db.begin() as conn:  # due at one moment: none overtakes another (a later one would drop it)
        conn.execute(insert(Deadline), [
            dict(instance_id=iid, spiff_task_id=f"reminder:{task.id}:{n}", bpmn_id=task.bpmn_id, kind="reminder",
                 task_id=task.id, params={"days": 3}, due_at=now - timedelta(seconds=1), status="pending",
                 attempts=0, last_error="", expression="") for n in range(10_000)])
    fired, t0 = 0, time.perf_counter()
    while True:
        result = timers.sweep(ctx, batch=1000)
        fired += result.notices
        if not result.notices:
            break
    elapsed = time.perf_counter() - t0
    assert fired == 10_000
    with ctx.uow(write=False) as uow:
        assert uow.session.get(Instance, iid).status == "running"
    print(f"\nFiring 10,000 due reminders (file SQLite, 2 officers notified each): {elapsed:.1f} s, "
          f"{fired / elapsed:,.0f} reminders/s, one transaction each")
