"""Task deadlines (reminders, SLA clock, overdue) and the scheduler under pressure: downtime, several
real scheduler processes, a user racing a timer."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import func, select, text

from engine.config import REPO_ROOT
from engine.errors import Conflict
from engine.models import AuditEvent, Deadline, HumanTask, Notification, SchedulerHeartbeat
from engine.services import deploy, inbox, instances, tasks, timers
from tests.bpmn_factory import one_task
from tests.conftest import ADMIN, DESIGNER

START = datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)  # Monday, FY 2569
DUE = datetime(2026, 4, 10, 16, 59, 59, tzinfo=timezone.utc)  # Friday 10 Apr, 23:59:59 Bangkok


def _start(world, count=1, timer="report_due(fiscal_year, 6, 'internal')"):
    deploy.deploy(world.ctx, {"t.bpmn": one_task(timer=timer).encode()}, DESIGNER)
    with time_machine.travel(START, tick=False):
        return [instances.start(world.ctx, ADMIN, "p", world.agency_a, f"บริการ {i}", 2569) for i in range(count)]


def _rows(ctx, iid):
    """Deadline rows by a readable key: the timer's BPMN id, or kind:parameter for task deadlines."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(Deadline).where(Deadline.instance_id == iid))
        return {(f"{d.kind}:{next(iter((d.params or {}).values()), '')}" if d.task_id else d.bpmn_id):
                (d.due_at, d.status) for d in rows}


def test_reminders_clock_and_overdue_rows(world):
    [iid] = _start(world)
    rows = _rows(world.ctx, iid)
    def bkk(y, m, d):  # 08:30 Bangkok
        return datetime(y, m, d, 1, 30, tzinfo=timezone.utc)
    # 7, 3 and 1 working days before Fri 10 Apr (Mon 6 Apr is Chakri Day): 31 Mar, 7 Apr, 9 Apr at 08:30
    assert rows["reminder:7"] == (bkk(2026, 3, 31), "pending")
    assert rows["reminder:3"] == (bkk(2026, 4, 7), "pending")
    assert rows["reminder:1"] == (bkk(2026, 4, 9), "pending")
    assert rows["overdue:"][0] == DUE
    assert {k for k in rows if k.startswith("clock")} == {"clock:50", "clock:75"}
    assert rows["timer1"] == (DUE, "pending")


def test_each_reminder_fires_once_in_order_and_escalates_when_overdue(world):
    ctx = world.ctx
    [iid] = _start(world)
    notices = sorted((due, key) for key, (due, _status) in _rows(ctx, iid).items() if key.split(":")[0] in
                     ("clock", "reminder"))
    fired = []
    for due, _key in notices:  # the scheduler sweeps every minute: each notice in its turn
        with time_machine.travel(due, tick=False):
            fired.append(timers.sweep(ctx).notices)
        with time_machine.travel(due, tick=False):
            fired.append(timers.sweep(ctx).notices)  # and never twice
    assert [key for _, key in notices] == ["clock:50", "clock:75", "reminder:7", "reminder:3", "reminder:1"]
    assert fired == [1, 0] * 5
    with time_machine.travel(datetime(2026, 4, 11, tzinfo=timezone.utc), tick=False):
        result = timers.sweep(ctx)
    assert (result.notices, result.fired) == (1, 1)  # overdue escalation and the BPMN timer itself
    with ctx.uow(write=False) as uow:
        kinds = [n.kind for n in uow.session.scalars(select(Notification).where(Notification.instance_id == iid)
                                                     .order_by(Notification.id))]
    officers, supervisors = 2, 1
    assert kinds.count("due_soon") == 3 * officers and kinds.count("clock") == 2 * officers
    assert kinds.count("overdue") == officers + supervisors


def test_a_scheduler_catching_up_sends_the_latest_notice_only(world):
    """Down from before the first warning until the day before the due date: people get "due tomorrow",
    not five stale warnings at once; the ones overtaken are cancelled, never sent later."""
    ctx = world.ctx
    [iid] = _start(world)
    with time_machine.travel(datetime(2026, 4, 9, 2, tzinfo=timezone.utc), tick=False):
        result = timers.sweep(ctx)
    assert (result.notices, result.skipped, result.failed) == (1, 4, 0)
    rows = _rows(ctx, iid)
    assert rows["reminder:1"][1] == "fired"
    assert {rows[k][1] for k in ("clock:50", "clock:75", "reminder:7", "reminder:3")} == {"cancelled"}
    with ctx.uow(write=False) as uow:
        kinds = [n.kind for n in uow.session.scalars(select(Notification).where(
            Notification.instance_id == iid, Notification.kind != "task_arrived"))]
    assert kinds == ["due_soon", "due_soon"]  # the agency's two officers, once each
    with time_machine.travel(datetime(2026, 4, 11, tzinfo=timezone.utc), tick=False):
        assert timers.sweep(ctx).notices == 1  # the escalation still comes when the task is overdue


def test_downtime_every_missed_deadline_fires_once(world):
    ctx = world.ctx
    ids = _start(world, count=3)
    with time_machine.travel(datetime(2026, 5, 10, tzinfo=timezone.utc), tick=False):  # a month past it all
        first = timers.sweep(ctx)
        again = timers.sweep(ctx)
    # the timer fired the interrupting boundary: the task was cancelled, so its pending reminders are dropped
    assert first.fired == 3 and again.fired == again.notices == 0
    with ctx.uow(write=False) as uow:
        pending = uow.session.scalar(select(func.count()).select_from(Deadline).where(Deadline.status == "pending"))
        fires = uow.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "timer.fire"))
    assert fires == 3 and pending == 0
    assert ids


def test_completing_a_task_cancels_its_reminders_and_records_lateness(world):
    ctx = world.ctx
    [iid] = _start(world, timer='"2026-04-10T23:59:59+07:00"')
    task = inbox.list_tasks(ctx, world.actor("officer.a"))[0][0]
    with time_machine.travel(datetime(2026, 4, 1, tzinfo=timezone.utc), tick=False):
        tasks.submit(ctx, world.actor("officer.a"), task.id, {"decision": "approve"})
    with ctx.uow(write=False) as uow:
        statuses = {d.kind: d.status for d in uow.session.scalars(select(Deadline).where(Deadline.task_id == task.id))}
        done = uow.session.get(HumanTask, task.id)
    assert set(statuses.values()) == {"cancelled"} and done.days_late is None
    assert iid


@pytest.mark.parametrize("attempt", range(3))
def test_user_racing_the_timer_gets_one_outcome(any_world, attempt):
    ctx = any_world.ctx
    [iid] = _start(any_world, timer='"2026-04-10T23:59:59+07:00"')
    task = inbox.list_tasks(ctx, any_world.actor("officer.a"))[0][0]
    outcomes = {}
    barrier = threading.Barrier(2)
    with time_machine.travel(datetime(2026, 4, 11, tzinfo=timezone.utc), tick=False):
        def user():
            barrier.wait()
            try:
                tasks.submit(ctx, any_world.actor("officer.a"), task.id, {"decision": "approve"})
                outcomes["user"] = "done"
            except Conflict:
                outcomes["user"] = "conflict"

        def scheduler():
            barrier.wait()
            outcomes["timer"] = timers.sweep(ctx).fired

        threads = [threading.Thread(target=user), threading.Thread(target=scheduler)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    with ctx.uow(write=False) as uow:
        timer = uow.session.scalar(select(Deadline).where(Deadline.instance_id == iid, Deadline.kind == "timer"))
        open_names = sorted(t.bpmn_id for t in uow.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == iid, HumanTask.status == "open")))
    if outcomes["user"] == "done":
        assert timer.status == "cancelled" and outcomes["timer"] == 0 and open_names == []
    else:
        assert timer.status == "fired" and outcomes["timer"] == 1 and open_names == ["late"]


def test_the_scheduler_locks_an_instance_before_its_timer_as_a_submit_does(any_world):
    """A user holds the instance and then cancels its timer (a submit): the scheduler, firing that timer
    meanwhile, must wait on the instance without holding the timer's row, or the two deadlock."""
    ctx = any_world.ctx
    if ctx.db.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: no row locks to order")
    [iid] = _start(any_world, timer='"2026-04-10T23:59:59+07:00"')
    outcome = {}
    with ctx.db.connect() as user:
        user.execute(text("SELECT id FROM instance WHERE id = :i FOR NO KEY UPDATE"), {"i": iid})
        scheduler = threading.Thread(target=lambda: outcome.setdefault(
            "fired", timers.fire(ctx, _timer_id(ctx, iid), datetime(2026, 4, 11, tzinfo=timezone.utc))))
        scheduler.start()
        with ctx.db.connect() as probe:  # wait, without a fixed sleep, until the scheduler waits on a lock
            for _ in range(2000):
                waiting = probe.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                            "current_database() AND wait_event_type = 'Lock'"))
                probe.rollback()  # pg_stat_activity is a snapshot per transaction: a new one each look
                if waiting:
                    break
                time.sleep(0.005)
            else:
                pytest.fail("the scheduler never waited for the instance")
        user.execute(text("SET lock_timeout = '5s'"))
        user.execute(text("UPDATE deadline SET status = 'cancelled' WHERE instance_id = :i"), {"i": iid})
        user.commit()
        scheduler.join(30)
    assert outcome == {"fired": None}  # the timer was cancelled while it waited: nothing fired, no error
    assert {status for _, status in _rows(ctx, iid).values()} == {"cancelled"}


def _timer_id(ctx, iid):
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(Deadline.id).where(Deadline.instance_id == iid, Deadline.kind == "timer"))


def test_three_scheduler_processes_fire_every_deadline_exactly_once(tmp_path, any_db_url):
    """Real `slaflow scheduler` processes on one database for a few seconds."""
    from tests.conftest import World, make_ctx

    ctx = make_ctx(tmp_path, any_db_url)
    world = World(ctx)
    deploy.deploy(ctx, {"t.bpmn": one_task(timer='"2026-04-10T23:59:59+07:00"').encode()}, DESIGNER)
    with time_machine.travel(START, tick=False):
        ids = [instances.start(ctx, ADMIN, "p", world.agency_a, f"บริการ {i}", 2569) for i in range(24)]
    with ctx.uow(write=False) as uow:
        due = uow.session.scalar(select(func.count()).select_from(Deadline).where(Deadline.status == "pending"))
    env = dict(os.environ, SLAFLOW_DATABASE_URL=any_db_url, SLAFLOW_INSTANCE_DIR=str(tmp_path / "instance"),
               SLAFLOW_SECRET_KEY="test", SLAFLOW_SCHEDULER_INTERVAL="0.2", PYTHONPATH=str(REPO_ROOT))
    procs = [subprocess.Popen([sys.executable, "-m", "web.cli", "scheduler"], env=env, cwd=REPO_ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with ctx.uow(write=False) as uow:
                left = uow.session.scalar(select(func.count()).select_from(Deadline)
                                          .where(Deadline.status == "pending"))
            if left == 0:
                break
            time.sleep(0.2)
        time.sleep(1.0)  # let every process sweep a few more times over an empty queue
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        errors = []
        for p in procs:
            try:
                errors.append(p.communicate(timeout=30)[1])
            except subprocess.TimeoutExpired:
                p.kill()  # never leave a scheduler running after the test
                errors.append(p.communicate()[1])
    with ctx.uow(write=False) as uow:
        s = uow.session
        fires = s.execute(select(AuditEvent.instance_id, func.count()).where(AuditEvent.action == "timer.fire")
                          .group_by(AuditEvent.instance_id)).all()
        statuses = dict(s.execute(select(Deadline.status, func.count()).group_by(Deadline.status)).all())
        beats = s.scalar(select(func.count()).select_from(SchedulerHeartbeat))
    assert sorted(i for i, _ in fires) == sorted(ids) and all(n == 1 for _, n in fires), errors
    assert statuses.get("pending", 0) == 0 and due > len(ids)
    assert beats >= 1
    ctx.close()
