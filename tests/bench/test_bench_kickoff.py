"""Starting a fiscal year for 10,000 agencies in one action, and the same again (all skipped)."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, insert, select

from engine.models import Agency, Instance
from engine.services import instances, kickoff
from tests.bench.targets import check
from tests.conftest import World, make_ctx
from tests.workflows.test_sla_paths import deploy_all

pytestmark = pytest.mark.bench
AGENCIES = 10_000


def test_kickoff_of_ten_thousand_agencies(tmp_path):
    ctx = make_ctx(tmp_path)
    world = World(ctx)
    deploy_all(ctx)
    with ctx.uow() as uow:
        uow.session.execute(insert(Agency), [dict(code=f"K{i:05d}", name=f"หน่วยงานที่ {i}", ministry=f"กระทรวงที่ {i % 20}",
                                                  province="", region=f"ภาค {i % 6}", active=True,
                                                  office_opens="08:30", office_closes="16:30")
                                             for i in range(AGENCIES)])
        uow.commit()
    one = []  # the baseline: starting workflows one by one, as before
    for agency_id in (world.agency_a, world.agency_b, world.unit_a, world.unit_b):
        t0 = time.perf_counter()
        instances.start(ctx, world.actor("central"), "sla_lifecycle", agency_id, "งานบริการ", 2570)
        one.append(time.perf_counter() - t0)
    central = world.actor("central")
    t0 = time.perf_counter()
    job = kickoff.queue(ctx, central, "sla_lifecycle", 2570, "งานบริการ")
    kickoff.run_queued(ctx)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    kickoff.queue(ctx, central, "sla_lifecycle", 2570, "งานบริการ")
    kickoff.run_queued(ctx)
    again = time.perf_counter() - t0
    with ctx.uow(write=False) as uow:
        started = uow.session.scalar(select(func.count()).select_from(Instance).where(Instance.fiscal_year == 2570))
    [view] = [j for j in kickoff.recent(ctx, central) if j.id == job]
    assert started == AGENCIES + 4 and view.started == AGENCIES and view.skipped == 4 and view.failed == 0
    rate = AGENCIES / first
    print(f"\nFiscal-year kick-off, {AGENCIES:,} agencies (file SQLite): {first:.1f} s ({rate:,.0f} workflows/s; "
          f"one by one {1 / (sum(one) / len(one)):,.0f}/s); the same again, all skipped, {again:.1f} s")
    check("kick-off of 10,000 agencies", first, 60, " s")
    check("kick-off again (all skipped)", again, 10, " s")
