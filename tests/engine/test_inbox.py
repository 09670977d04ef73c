"""Inbox read model: scope, filters, search, sorting, paging and counts, without loading workflows."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from engine.models import HumanTask
from engine.services import inbox, instances, tasks
from tests.conftest import ADMIN, REVIEW


def _start(world, names, agency=None, fy=2569):
    return [instances.start(world.ctx, ADMIN, REVIEW, agency or world.agency_a, n, fy) for n in names]


def test_scope_filters_search_and_sort(world):
    ctx = world.ctx
    a1, a2, a3 = _start(world, ["ภาษีรถ", "ใบขับขี่", "ทะเบียนรถ"])
    (b1,) = _start(world, ["บัตรประชาชน"], agency=world.agency_b)
    (old,) = _start(world, ["ภาษีรถปีก่อน"], fy=2568)
    officer = world.actor("officer.a")
    rows, total = inbox.list_tasks(ctx, officer)
    assert total == 4 and {r.instance_id for r in rows} == {a1, a2, a3, old}
    tasks.claim(ctx, officer, next(r.id for r in rows if r.instance_id == a2))
    mine, n = inbox.list_tasks(ctx, officer, filters=inbox.Filters(scope="mine"))
    assert n == 1 and mine[0].instance_id == a2
    pool, n = inbox.list_tasks(ctx, officer, filters=inbox.Filters(scope="pool"))
    assert n == 3 and a2 not in {r.instance_id for r in pool}
    assert inbox.list_tasks(ctx, world.actor("officer.a2"), filters=inbox.Filters(scope="pool"))[1] == 3
    found, n = inbox.list_tasks(ctx, officer, filters=inbox.Filters(search="ภาษีรถ"))
    assert n == 2 and {r.instance_id for r in found} == {a1, old}
    assert inbox.list_tasks(ctx, officer, filters=inbox.Filters(search="100%_\\"))[1] == 0  # LIKE wildcards are text
    assert inbox.list_tasks(ctx, officer, filters=inbox.Filters(fiscal_year=2568))[0][0].instance_id == old
    assert inbox.list_tasks(ctx, officer, filters=inbox.Filters(process_id="nope"))[1] == 0
    stage = rows[0].name
    assert inbox.list_tasks(ctx, officer, filters=inbox.Filters(stage=stage))[1] == 4
    assert inbox.count(ctx, officer) == 4
    opts = inbox.options(ctx, officer)
    assert opts.stages == [stage] and 2569 in opts.fiscal_years and (REVIEW, opts.processes[0][1]) in opts.processes
    assert b1  # agency B's task never shows for agency A


def test_due_sorting_overdue_and_paging(world):
    ctx = world.ctx
    ids = _start(world, [f"บริการ {i}" for i in range(7)])
    now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    with ctx.db.begin() as conn:
        for i, iid in enumerate(ids):
            conn.execute(update(HumanTask).where(HumanTask.instance_id == iid)
                         .values(due_at=now + timedelta(days=i - 2)))
    officer = world.actor("officer.a")
    rows, total = inbox.list_tasks(ctx, officer, limit=3, offset=0)
    assert total == 7 and [r.instance_id for r in rows] == ids[:3]
    rows, _ = inbox.list_tasks(ctx, officer, limit=3, offset=6)
    assert [r.instance_id for r in rows] == ids[6:]
    late, n = inbox.list_tasks(ctx, officer, filters=inbox.Filters(overdue_only=True), now=now)
    assert n == 2 and [r.instance_id for r in late] == ids[:2]
    newest, _ = inbox.list_tasks(ctx, officer, filters=inbox.Filters(sort="received"), limit=1)
    assert newest[0].instance_id == ids[-1]
    # nonsense input is normalized, never an error
    assert inbox.list_tasks(ctx, officer, limit=-5, offset=-1, filters=inbox.Filters(sort="drop", scope="x"))[1] == 7
