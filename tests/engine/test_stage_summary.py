"""The stage summary behind the central office's heat map: kept at every save, merged over an agency's
workflows ("current" wins over "done"), rewritten when one is cancelled, and what the heat map counts."""
from __future__ import annotations

import time_machine
from sqlalchemy import select

from engine.models import StageSummary
from engine.services import central, instances
from tests.conftest import ADMIN
from tests.workflows.test_sla_paths import START, deploy_all
from tests.workflows.walker import Walker


def _summary(ctx, agency_id):
    with ctx.uow(write=False) as uow:
        return {r.stage_id: r.state for r in uow.session.scalars(
            select(StageSummary).where(StageSummary.agency_id == agency_id, StageSummary.fiscal_year == 2569))}


def test_summary_follows_every_workflow_of_the_agency(world):
    ctx = world.ctx
    deploy_all(ctx)
    with time_machine.travel(START, tick=False):
        first = Walker(world, instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "บริการ ก", 2569))
        second = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "บริการ ข", 2569)
        assert _summary(ctx, world.agency_a) == {"select_process": 2}
        first.do("select_process", "officer.a", form="sla/select_process")
        # the second workflow is still at its first task: "current" wins over the first one's "done"
        assert _summary(ctx, world.agency_a) == {"select_process": 2, "stage1": 2}
        instances.cancel(ctx, ADMIN, second, "ซ้ำกับบริการ ก")
        assert _summary(ctx, world.agency_a) == {"select_process": 1, "stage1": 2}
        view = central.overview(ctx, world.actor("central"), central.Filters(fiscal_year=2569))
    row = next(a for a in view.agencies if a["id"] == world.agency_a)
    assert row["cells"]["stage1"] == "current"
    assert row["score"] is None  # nothing scored yet: no score, not a score of 0
    ministry = next(h for h in view.heat if h["agencies"] and h["cells"]["stage1"].get("current"))
    assert ministry["cells"]["stage1"]["current"] == 1
    assert sum(ministry["cells"]["stage1"].values()) == ministry["agencies"]
