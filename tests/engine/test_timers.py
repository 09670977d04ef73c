"""Timers: deadline rows written with the state, fired exactly once by sweeps, caught up after downtime."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import Conflict
from engine.models import AuditEvent, Deadline, HumanTask, Instance, SchedulerHeartbeat
from engine.services import deploy, inbox, instances, tasks, timers
from tests.bpmn_factory import one_task
from tests.conftest import ADMIN, DESIGNER

JAN = datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)  # FY 2569
DUE = datetime(2026, 4, 10, 16, 59, 59, tzinfo=timezone.utc)  # 10 Apr 2026 23:59:59 Bangkok


def _setup(world, count=1, timer="report_due(fiscal_year, 6, 'internal')"):
    deploy.deploy(world.ctx, {"timer.bpmn": one_task(timer=timer).encode()}, DESIGNER)
    return [instances.start(world.ctx, ADMIN, "p", world.agency_a, f"บริการ {i}", 2569) for i in range(count)]


def _open(ctx, iid):
    with ctx.uow(write=False) as uow:
        return sorted(t.bpmn_id for t in uow.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == iid, HumanTask.status == "open")))


def test_deadline_row_written_with_the_state(world):
    with time_machine.travel(JAN, tick=False):
        [iid] = _setup(world)
    with world.ctx.uow(write=False) as uow:
        row = uow.session.scalar(select(Deadline).where(Deadline.instance_id == iid, Deadline.kind == "timer"))
    assert row.status == "pending" and row.due_at == DUE and row.bpmn_id == "timer1"
    with world.ctx.uow(write=False) as uow:
        task = uow.session.scalar(select(HumanTask).where(HumanTask.instance_id == iid))
    assert task.bpmn_id == "t1" and task.due_at == DUE  # the task's due date comes from its timer


def test_sweep_fires_once_when_due(world):
    ctx = world.ctx
    with time_machine.travel(JAN, tick=False):
        [iid] = _setup(world)
        assert timers.sweep(ctx).fired == 0
    with time_machine.travel(DUE.replace(second=58), tick=False):
        assert timers.sweep(ctx).fired == 0
    with time_machine.travel(datetime(2026, 4, 11, 1, 0, tzinfo=timezone.utc), tick=False):
        assert timers.sweep(ctx).fired == 1
        assert timers.sweep(ctx).fired == 0
    assert _open(ctx, iid) == ["late"]
    with ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(Deadline.status).where(Deadline.instance_id == iid, Deadline.kind == "timer")) == "fired"
        assert uow.session.get(SchedulerHeartbeat, "scheduler").last_sweep_at is not None


def test_downtime_catch_up_fires_each_missed_deadline_once_oldest_first(world):
    ctx = world.ctx
    ids = []
    for day in (3, 1, 2):  # timers due on different days, created out of order
        with time_machine.travel(datetime(2026, 1, day, tzinfo=timezone.utc), tick=False):
            deploy.deploy(ctx, {"t.bpmn": one_task(timer=f'days_from_now({day})').encode()}, DESIGNER)
            ids.append(instances.start(ctx, ADMIN, "p", world.agency_a, f"บริการวันที่ {day}", 2569))
    with time_machine.travel(datetime(2026, 2, 1, tzinfo=timezone.utc), tick=False):  # 30 days of downtime
        result = timers.sweep(ctx)
        assert timers.sweep(ctx).fired == 0
    assert result.fired == 3
    with ctx.uow(write=False) as uow:
        fired = [e.instance_id for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "timer.fire").order_by(AuditEvent.id))]
    assert fired == [ids[1], ids[2], ids[0]]


def test_concurrent_sweepers_fire_exactly_once(any_world):
    ctx = any_world.ctx
    with time_machine.travel(JAN, tick=False):
        ids = _setup(any_world, count=6)
    totals = []
    with time_machine.travel(datetime(2026, 5, 1, tzinfo=timezone.utc), tick=False):
        barrier = threading.Barrier(3)

        def sweeper(n):
            barrier.wait()
            totals.append(timers.sweep(ctx, name=f"s{n}").fired)

        threads = [threading.Thread(target=sweeper, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert sum(totals) == len(ids)
    with ctx.uow(write=False) as uow:
        fires = uow.session.scalars(select(AuditEvent.instance_id).where(AuditEvent.action == "timer.fire")).all()
    assert sorted(fires) == sorted(ids)


def test_submit_racing_the_timer_has_one_outcome(world):
    ctx = world.ctx
    with time_machine.travel(JAN, tick=False):
        first, second = _setup(world, count=2)
    officer = world.actor("officer.a")
    with time_machine.travel(datetime(2026, 4, 20, tzinfo=timezone.utc), tick=False):
        # the officer submits before the sweep: the report counts, the timer is dropped
        task_id = next(r.id for r in inbox.list_tasks(ctx, officer)[0] if r.instance_id == first)
        tasks.submit(ctx, officer, task_id, {"decision": "approve"})
        # the sweep gets there first on the other one: the officer's late submit is refused
        late_id = next(r.id for r in inbox.list_tasks(ctx, officer)[0] if r.instance_id == second)
        assert timers.sweep(ctx).fired == 1
        with pytest.raises(Conflict):
            tasks.submit(ctx, officer, late_id, {"decision": "approve"})
    with ctx.uow(write=False) as uow:
        assert uow.session.get(Instance, first).status == "completed"
        statuses = dict(uow.session.execute(select(Deadline.instance_id, Deadline.status)
                                            .where(Deadline.kind == "timer")).all())
    assert statuses == {first: "cancelled", second: "fired"}
    assert _open(ctx, second) == ["late"]


def test_a_bad_row_never_blocks_the_rows_behind_it(world):
    """A workflow whose stored state is corrupt (an error no use case raises on purpose) fails alone: the
    timers due after it still fire, the failure is recorded on its row and counted in the heartbeat."""
    from sqlalchemy import update

    ctx = world.ctx
    with time_machine.travel(JAN, tick=False):
        ids = _setup(world, count=3)
    with ctx.uow() as uow:  # the first one due is the bad one
        uow.session.execute(update(Instance).where(Instance.id == ids[0]).values(state='{"tasks": "broken'))
        uow.commit()
    with time_machine.travel(datetime(2026, 4, 11, 1, 0, tzinfo=timezone.utc), tick=False):
        result = timers.sweep(ctx)
    assert (result.fired, result.failed) == (2, 1)
    assert _open(ctx, ids[1]) == ["late"] and _open(ctx, ids[2]) == ["late"]
    with ctx.uow(write=False) as uow:
        bad = uow.session.scalar(select(Deadline).where(Deadline.instance_id == ids[0], Deadline.kind == "timer"))
        assert bad.status == "pending" and bad.attempts == 1 and "JSONDecodeError" in bad.last_error
        assert uow.session.get(SchedulerHeartbeat, "scheduler").failures == 1
